import Sodium

/// Fixed-window counters whose totals live in the database, so every responder
/// process on every host sees the same counts, also on shared hosting where no
/// front server can be told to limit. Addresses are counted by their keyed hash
/// only. Hits are decided and counted in this process's ``LocalRateCounters`` and
/// folded into the database about once a second (see there for the bound).
struct RateLimiter {
    let store: Store
    var counters: LocalRateCounters = .writeThrough

    /// The counter of `key` in `scope` for the window running now, with the id
    /// the local table keeps it under; nil when `limit` is 0 (nothing is counted).
    func bucket(scope: String, key: String, limit: Int, windowSeconds: Int) throws(StoreError) -> (bucket: RateBucket, id: BucketID)? {
        guard limit > 0 else { return nil }
        let secret = try store.rateLimitKey()
        let now = Int64(Timestamp.secondsSince1970())
        let windowStart = now - now % Int64(windowSeconds)
        let digest = HMACSHA256.authenticator(for: Array((scope + "\u{0}" + key).utf8), key: secret)
        return (RateBucket(name: Hex.encode(digest), windowStart: windowStart, windowSeconds: windowSeconds, limit: limit),
                BucketID(digest: digest, windowStart: windowStart))
    }

    /// Counts the hit and throws 429 with `Retry-After` once `limit` is passed.
    /// A limit of 0 counts nothing.
    func hit(scope: String, key: String, limit: Int, windowSeconds: Int, message: String) throws {
        guard let (bucket, id) = try bucket(scope: scope, key: key, limit: limit, windowSeconds: windowSeconds) else { return }
        var admission = counters.admit(bucket, id: id)
        if admission == .needsRead {
            counters.fold(id, into: store)
            admission = counters.admit(bucket, id: id)
        }
        switch admission {
        case .refused:
            throw APIError.tooManyRequests(message, retryAfter: bucket.secondsLeft())
        case .admitted:
            break
        case .needsRead, .writeThrough:
            // Still no fresh total (other threads' hits keep coming, or the fold failed):
            // this hit is counted in the database and decided by its answer.
            // Hits this process holds that the answer may not know yet count too,
            // and the answer (this hit included) joins what this process knows.
            let total = try store.countHit(bucket)
            let hits = total + counters.unfoldedHits(of: id)
            counters.learn(total: total, of: id)
            guard hits <= limit else { throw APIError.tooManyRequests(message, retryAfter: bucket.secondsLeft()) }
        }
    }
}
