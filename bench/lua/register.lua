-- POST /register with a valid Ed25519 key (the same key each time, as the
-- original server allows; every request stores a new link).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "POST"
wrk.path = "/register"
wrk.headers["Content-Type"] = "application/json"

function init(args)
    wrk.body = bench_data("register")
end
