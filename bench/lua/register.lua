-- POST /register with a valid Ed25519 key (the same key each time, as the
-- original server allows; every request stores a new link), each from a random
-- client address (report.lua): the default limit is 20 registrations an hour each.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local register

function init(args)
    register = bench_prepare(wrk.format("POST", "/register", { ["Content-Type"] = "application/json" },
        bench_data("register")))
end

function request()
    return bench_send(register)
end
