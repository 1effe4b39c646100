-- Challenge-authenticated /fetch against bearer /fetch, measured by one driver.
--   wrk -t64 -c64 ... -s challenge.lua URL -- challenge|bearer
-- Run with as many threads as connections: each wrk thread then owns exactly one
-- connection and one link (64 links with 10 unseen messages each), so a
-- challenge's response can be tied to its link and signed with its key.
--   challenge: POST /challenge_request, sign the challenge's UTF-8 bytes with the
--              link's Ed25519 key (libsodium through LuaJIT's FFI), POST /fetch
--              with challenge + challenge_signature: one fetch = two requests.
--   chained:   as challenge, but each fetch asks for "next_challenge" and signs the
--              one the previous fetch returned: one fetch = one request (plus one
--              /challenge_request at the start, or after a fetch that gave none).
--   bearer:    POST /fetch with Authorization: Bearer: one fetch = one request.
-- Every request comes from a random client address (report.lua).
-- Both count completed fetches (200) and time each whole fetch, from the first
-- request's start to the fetch's response, into bench_op_lat.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local ffi = require("ffi")
ffi.cdef [[
int sodium_init(void);
int crypto_sign_detached(unsigned char *sig, unsigned long long *siglen,
                         const unsigned char *m, unsigned long long mlen, const unsigned char *sk);
char *sodium_bin2base64(char *b64, size_t b64_maxlen, const unsigned char *bin, size_t bin_len, int variant);
int sodium_hex2bin(unsigned char *bin, size_t bin_maxlen, const char *hex, size_t hex_len,
                   const char *ignore, size_t *bin_len, const char **hex_end);
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *tp);
]]

local ok, sodium = pcall(ffi.load, "sodium")
if not ok then sodium = ffi.load("libsodium.so.23") end
sodium.sodium_init()

local now_ts = ffi.new("bench_timespec")
local function now_us()
    ffi.C.clock_gettime(1, now_ts) -- CLOCK_MONOTONIC
    return tonumber(now_ts.tv_sec) * 1000000 + tonumber(now_ts.tv_nsec) / 1000
end

local mode, link, secret = "challenge", nil, ffi.new("unsigned char[64]")
local signature, signature_b64 = ffi.new("unsigned char[64]"), ffi.new("char[89]")
local challenge_request, bearer_fetch
local json_headers = { ["Content-Type"] = "application/json" }
local challenge, in_flight, started = nil, nil, 0
bench_op_lat = {}

function init(args)
    mode = args[1] or "challenge"
    local links = bench_data("fetch-10")
    link = links[((thread_index or 1) - 1) % #links + 1]
    sodium.sodium_hex2bin(secret, 64, link.secret_hex, #link.secret_hex, nil, nil, nil)
    challenge_request = bench_prepare(wrk.format("POST", "/challenge_request", json_headers,
        string.format('{"link_token":"%s"}', link.token)))
    bearer_fetch = bench_prepare(wrk.format("POST", "/fetch",
        { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. link.fetch_token },
        string.format('{"link_token":"%s","limit":200}', link.token)))
end

local function signed_fetch(text)
    sodium.crypto_sign_detached(signature, nil, text, #text, secret)
    sodium.sodium_bin2base64(signature_b64, 89, signature, 64, 1) -- 1: original alphabet, padded
    local chaining = mode == "chained" and ',"next_challenge":true' or ""
    return bench_send(bench_prepare(wrk.format("POST", "/fetch", json_headers,
        string.format('{"link_token":"%s","challenge":"%s","challenge_signature":"%s","limit":200%s}',
            link.token, text, ffi.string(signature_b64), chaining))))
end

local function challenge_in(body, field, from)
    local text = body:match('"' .. field .. '"%s*:%s*"([^"]+)"', from)
    return text and text:gsub("\\/", "/") or nil
end

function request()
    if mode == "bearer" then
        in_flight, started = "fetch", now_us()
        return bench_send(bearer_fetch)
    end
    if challenge then
        local text = challenge
        challenge, in_flight = nil, "fetch"
        if mode == "chained" then started = now_us() end
        return signed_fetch(text)
    end
    in_flight, started = "challenge", now_us()
    return bench_send(challenge_request)
end

function response(status, headers, body)
    if in_flight == "challenge" then
        bench_count("challenge_" .. status)
        if status == 200 then challenge = challenge_in(body, "challenge") end
    else
        bench_count("fetch_" .. status)
        if status == 200 then
            bench_count("fetches")
            bench_op_lat[#bench_op_lat + 1] = math.floor(now_us() - started)
            -- SealDrop writes next_challenge last: look only at the end of the messages.
            if mode == "chained" then challenge = challenge_in(body, "next_challenge", math.max(1, #body - 127)) end
        end
    end
end
