-- GET /health, plain: no request() or response(), so wrk sends one fixed
-- request and skips parsing bodies (as cheap as wrk gets).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
