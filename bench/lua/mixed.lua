-- The mixed run: 80% /send (100-byte sealed boxes), 15% /fetch by bearer, 5% /ack,
-- over 64 links, chosen at random per request.
-- Each send carries metadata {"k": <link number>}; a fetch response therefore tells
-- whose messages it holds, and the next ack acknowledges up to 50 of those ids for
-- that link (with its bearer token) — real acks that mark messages seen. When no
-- fetched ids wait yet, the ack slot becomes a fetch.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local links, sends, fetches = nil, {}, {}
local acks = {} -- queue of { link number, "id,id,..." }

function init(args)
    links = bench_data("mixed")
    for i, link in ipairs(links) do
        sends[i] = bench_prepare(wrk.format("POST", "/send", { ["Content-Type"] = "application/json" }, link.send_body))
        fetches[i] = bench_prepare(wrk.format("POST", "/fetch",
            { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. link.fetch_token },
            string.format('{"link_token":"%s"}', link.token)))
    end
    math.randomseed(os.time() + (thread_index or 1) * 7919)
end

function request()
    local roll = math.random(100)
    if roll <= 80 then
        bench_count("op_send")
        return bench_send(sends[math.random(#links)])
    end
    if roll > 95 and #acks > 0 then
        local ack = table.remove(acks, 1)
        local link = links[ack[1]]
        bench_count("op_ack")
        return bench_send(bench_prepare(wrk.format("POST", "/ack",
            { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. link.fetch_token },
            string.format('{"link_token":"%s","message_ids":[%s]}', link.token, ack[2]))))
    end
    bench_count(roll > 95 and "op_fetch_for_ack" or "op_fetch")
    return bench_send(fetches[math.random(#links)])
end

function response(status, headers, body)
    bench_seen()
    bench_count("status_" .. status)
    if status ~= 200 or #acks >= 64 then return end
    -- Only fetch responses carry "data"; their metadata names the link.
    if body:find('"data":[', 1, true) then
        local k = tonumber(body:match('"metadata":{"k":(%d+)}'))
        if k and links[k] then
            local ids = {}
            for id in body:gmatch('"id":(%d+),"encrypted_message"') do ids[#ids + 1] = id end
            if #ids > 0 then acks[#acks + 1] = { k, table.concat(ids, ",") } end
        end
    elseif body:find('"count":', 1, true) and body:find("seen", 1, true) then
        local n = tonumber(body:match('"count":(%d+)'))
        if n then bench_counts.acked = (bench_counts.acked or 0) + n end
    end
end
