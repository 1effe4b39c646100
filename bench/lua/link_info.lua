-- GET /l/{link_token} asking for JSON (what a sender's client reads before sealing),
-- cycling over the send links (BENCH_SEND_LINKS of them), each request from a random
-- client address (report.lua).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local requests, n = {}, 0

function init(args)
    for i, token in ipairs(bench_data("links")) do
        requests[i] = bench_prepare(wrk.format("GET", "/l/" .. token, { ["Accept"] = "application/json" }))
    end
    -- Threads start at different links so they do not walk in step.
    n = ((thread_index or 1) - 1) * math.floor(#requests / 2)
end

function request()
    n = n % #requests + 1
    return bench_send(requests[n])
end
