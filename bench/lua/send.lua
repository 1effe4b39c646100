-- POST /send of real sealed boxes, cycling over the links registered for it.
--   wrk ... -s send.lua URL -- 100|16k
-- Each link has its own box sealed to its X25519 key (made with PyNaCl): BENCH_SEND_LINKS
-- links with 100-byte boxes, the first 1024 of them with 16 KiB ones; each request
-- from a random client address (report.lua).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local requests, n = {}, 0

function init(args)
    local bodies = bench_data("send-" .. (args[1] or "100"))
    local headers = { ["Content-Type"] = "application/json" }
    for i, body in ipairs(bodies) do requests[i] = bench_prepare(wrk.format("POST", "/send", headers, body)) end
    -- Threads start at different links so they do not walk in step.
    n = ((thread_index or 1) - 1) * math.floor(#requests / 2)
end

function request()
    n = n % #requests + 1
    return bench_send(requests[n])
end
