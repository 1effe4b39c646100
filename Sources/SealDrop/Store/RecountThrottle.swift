/// Which links' mailboxes this store recounted lately, so a flood of sends to a
/// full mailbox costs one recount a minute, not one per request.
struct RecountThrottle {
    private static let intervalMicroseconds: Int64 = 60_000_000
    /// Links kept at most; when full, entries older than the interval go.
    private static let capacity = 1024
    private var lastRecount: [String: Int64] = [:]

    mutating func shouldRecount(_ linkToken: String, now: Int64 = monotonicMicroseconds()) -> Bool {
        if let last = lastRecount[linkToken], now - last < Self.intervalMicroseconds { return false }
        if lastRecount.count >= Self.capacity {
            lastRecount = lastRecount.filter { now - $0.value < Self.intervalMicroseconds }
            if lastRecount.count >= Self.capacity { return false }
        }
        lastRecount[linkToken] = now
        return true
    }
}
