import Sodium

/// Fixed-window counters kept in the database, so every responder process on
/// every host sees the same counts, also on shared hosting where no front
/// server can be told to limit. Addresses are counted by their keyed hash only.
struct RateLimiter {
    let store: Store

    /// The counter of `key` in `scope` for the window running now; nil when `limit`
    /// is 0 (nothing is counted).
    func bucket(scope: String, key: String, limit: Int, windowSeconds: Int) throws(StoreError) -> RateBucket? {
        guard limit > 0 else { return nil }
        let secret = try store.rateLimitKey()
        let now = Int64(Timestamp.secondsSince1970())
        return RateBucket(name: HMACSHA256.hexAuthenticator(for: scope + "\u{0}" + key, key: secret),
                          windowStart: now - now % Int64(windowSeconds), windowSeconds: windowSeconds, limit: limit)
    }

    /// Counts the hit and throws 429 with `Retry-After` once `limit` is passed.
    /// A limit of 0 counts nothing.
    func hit(scope: String, key: String, limit: Int, windowSeconds: Int, message: String) throws {
        guard let bucket = try bucket(scope: scope, key: key, limit: limit, windowSeconds: windowSeconds) else { return }
        let hits = try store.countHit(bucket)
        guard hits <= limit else { throw APIError.tooManyRequests(message, retryAfter: bucket.secondsLeft()) }
    }
}
