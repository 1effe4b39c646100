import Sodium

/// Fixed-window counters kept in the database, so every responder process on
/// every host sees the same counts, also on shared hosting where no front
/// server can be told to limit. Addresses are counted by their keyed hash only.
struct RateLimiter {
    let store: Store

    /// Counts the hit and throws 429 with `Retry-After` once `limit` is passed.
    /// A limit of 0 counts nothing.
    func hit(scope: String, key: String, limit: Int, windowSeconds: Int, message: String) throws(APIError) {
        guard limit > 0 else { return }
        let secret = try database { () throws(StoreError) in try store.rateLimitKey() }
        let bucket = HMACSHA256.hexAuthenticator(for: scope + "\u{0}" + key, key: secret)
        let now = Int64(Timestamp.secondsSince1970())
        let windowStart = now - now % Int64(windowSeconds)
        let hits = try database { () throws(StoreError) in
            try store.countHit(bucket: bucket, windowStart: windowStart, windowSeconds: windowSeconds)
        }
        guard hits <= limit else {
            let wait = max(1, windowStart + Int64(windowSeconds) - now)
            throw APIError.tooManyRequests(message, retryAfter: Int(wait))
        }
    }
}
