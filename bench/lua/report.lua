-- Shared by every bench script (loaded with dofile): numbers each thread, and in
-- done() prints one line the driver parses:
--   BENCH_RESULT {"requests":..,"duration_us":..,"latency_us":{...},"errors":{...},
--                 "counts":{...},"op_latency_us":{...}}
-- `counts` sums the per-thread table `bench_counts` (scripts fill it in response());
-- `op_latency_us` summarises the per-thread list `bench_op_lat` (microseconds of
-- whole operations, e.g. challenge + signed fetch), when a script records one.

local threads = {}

-- wrk calls setup() for each thread just before starting it, so earlier threads
-- are already running: touching their state from here would race with them
-- (it corrupted Lua states). Only the new thread is set; the thread count comes
-- from BENCH_WRK_THREADS, set by the driver.
function setup(thread)
    table.insert(threads, thread)
    thread:set("thread_index", #threads)
end

thread_count = tonumber(os.getenv("BENCH_WRK_THREADS") or "") or 1

local function percentile(sorted, p)
    if #sorted == 0 then return 0 end
    local rank = math.ceil(p / 100 * #sorted)
    if rank < 1 then rank = 1 end
    return sorted[rank]
end

local function object(tbl)
    local keys = {}
    for k in pairs(tbl) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = string.format("%q:%.0f", k, tbl[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
    local counts, samples = {}, {}
    for _, t in ipairs(threads) do
        local c = t:get("bench_counts")
        if type(c) == "table" then
            for k, v in pairs(c) do counts[k] = (counts[k] or 0) + v end
        end
        local l = t:get("bench_op_lat")
        if type(l) == "table" then
            for _, v in ipairs(l) do samples[#samples + 1] = v end
        end
    end
    table.sort(samples)
    local e = summary.errors
    io.write("BENCH_RESULT {",
        string.format('"requests":%d,"duration_us":%d,"bytes":%d,', summary.requests, summary.duration, summary.bytes),
        string.format('"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},',
            latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean),
        string.format('"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},',
            e.connect, e.read, e.write, e.status, e.timeout),
        '"counts":', object(counts), ",",
        string.format('"op_latency_us":{"n":%d,"p50":%d,"p99":%d}', #samples,
            percentile(samples, 50), percentile(samples, 99)),
        "}\n")
end

-- Helpers for the scripts.
bench_counts = {}

function bench_count(name)
    bench_counts[name] = (bench_counts[name] or 0) + 1
end

function bench_data(name)
    return dofile(os.getenv("BENCH_DATA_DIR") .. "/" .. name .. ".lua")
end

-- Client addresses (issue 13): every request a script builds with bench_request()
-- carries `X-Forwarded-For: <address>`, the address drawn at random per request from
-- BENCH_ADDRESSES distinct clients (default 200,000): nine in ten IPv4 (10.0.0.0/14),
-- one in ten an IPv6 /64 (2001:db8:X:Y::/64 with a random interface id, so SealDrop
-- counts the /64). Both SealDrop sides trust nginx (127.0.0.1) and so believe it;
-- the C ceilings ignore it, but wrk does the same work for every side.
-- BENCH_XFF=0: no header, every request from 127.0.0.1.
local xff = os.getenv("BENCH_XFF") ~= "0"
local addresses = tonumber(os.getenv("BENCH_ADDRESSES") or "") or 200000
local seeded = false

function bench_address()
    if not seeded then
        math.randomseed(os.time() * 1000 + (thread_index or 0) * 7919 + math.floor(os.clock() * 1e6))
        seeded = true
    end
    local k = math.random(addresses) - 1
    if k % 10 == 9 then
        return string.format("2001:db8:%x:%x::%x", math.floor(k / 65536), k % 65536, math.random(65535))
    end
    return string.format("10.%d.%d.%d", math.floor(k / 65536), math.floor(k / 256) % 256, k % 256)
end

-- A request made once (wrk.format), split after its request line so that
-- bench_send(prepared) can put a fresh X-Forwarded-For in per request.
function bench_prepare(text)
    if not xff then return { text } end
    local cut = text:find("\r\n", 1, true) + 1
    return { text:sub(1, cut) .. "X-Forwarded-For: ", "\r\n" .. text:sub(cut + 1) }
end

function bench_send(prepared)
    if prepared[2] == nil then return prepared[1] end
    return prepared[1] .. bench_address() .. prepared[2]
end

-- Long runs: BENCH_STOP_AFTER=N stops each thread after its share of N responses
-- and drops a file in BENCH_STOP_DIR; wrk's main thread sleeps for the whole -d
-- regardless, so the driver sends it SIGINT (which wrk answers by reporting) once
-- every thread's file is there.
local stop_after, seen = nil, 0
function bench_seen()
    if stop_after == nil then
        local n = tonumber(os.getenv("BENCH_STOP_AFTER") or "")
        stop_after = n and math.ceil(n / thread_count) or false
    end
    if stop_after then
        seen = seen + 1
        if seen == stop_after then
            wrk.thread:stop()
            local f = io.open(os.getenv("BENCH_STOP_DIR") .. "/done-" .. (thread_index or 0), "w")
            if f then f:close() end
        end
    end
end
