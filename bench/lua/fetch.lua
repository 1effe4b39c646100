-- POST /fetch by bearer token, on links holding 10 or 200 unseen messages.
--   wrk ... -s fetch.lua URL -- 10|200
-- The body asks for up to 200, so every waiting message comes back; fetch does
-- not acknowledge, so the mailboxes stay as they are through the run.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local requests, n = {}, 0

function init(args)
    local links = bench_data("fetch-" .. (args[1] or "10"))
    for i, link in ipairs(links) do
        requests[i] = bench_prepare(wrk.format("POST", "/fetch",
            { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. link.fetch_token },
            string.format('{"link_token":"%s","limit":200}', link.token)))
    end
    n = ((thread_index or 1) - 1) * math.floor(#requests / 2)
end

function request()
    n = n % #requests + 1
    return bench_send(requests[n])
end
