-- GET /health, no response() (wrk skips parsing bodies). Each request carries a
-- random X-Forwarded-For (report.lua), as every bench request does.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local health

function init(args)
    health = bench_prepare(wrk.format("GET", "/health"))
end

function request()
    return bench_send(health)
end
