-- The long run for RSS growth: many code paths, bounded database state, so its
-- speed does not drift over a million requests. Per request, at random:
--   30% GET /health            30% POST /fetch by bearer (the 10-message links)
--   25% POST /send 100 B        10% GET /l/{link_token}     5% POST /register
-- Set BENCH_STOP_AFTER to the number of requests (report.lua stops each thread at
-- its share). Each request from a random client address (report.lua).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local health, fetches, sends, infos, register

function init(args)
    local json = { ["Content-Type"] = "application/json" }
    health = bench_prepare(wrk.format("GET", "/health"))
    fetches, sends, infos = {}, {}, {}
    for i, link in ipairs(bench_data("fetch-10")) do
        fetches[i] = bench_prepare(wrk.format("POST", "/fetch",
            { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. link.fetch_token },
            string.format('{"link_token":"%s","limit":200}', link.token)))
    end
    for i, body in ipairs(bench_data("send-100")) do
        sends[i] = bench_prepare(wrk.format("POST", "/send", json, body))
        infos[i] = bench_prepare(wrk.format("GET", "/l/" .. body:match('"link_token": *"([^"]+)"')))
    end
    register = bench_prepare(wrk.format("POST", "/register", json, bench_data("register")))
    math.randomseed(os.time() + (thread_index or 1) * 7919)
end

function request()
    local roll = math.random(100)
    if roll <= 30 then return bench_send(health) end
    if roll <= 60 then return bench_send(fetches[math.random(#fetches)]) end
    if roll <= 85 then return bench_send(sends[math.random(#sends)]) end
    if roll <= 95 then return bench_send(infos[math.random(#infos)]) end
    return bench_send(register)
end

function response(status, headers, body)
    bench_seen()
    bench_count("status_" .. status)
end
