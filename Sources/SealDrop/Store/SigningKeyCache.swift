/// Links' Ed25519 keys this store read lately. A link's key is fixed at
/// registration and never changes, so a challenge proof can be checked without
/// reading the link's row again; entries still lapse after a minute, so a key
/// an operator changes by hand is honoured within one.
struct SigningKeyCache {
    private static let lifetimeMicroseconds: Int64 = 60_000_000
    /// Links kept at most (about 200 bytes each): when full, lapsed entries go,
    /// and if none has, every entry does.
    private static let capacity = 4096
    private var keys: [String: (key: String, readAt: Int64)] = [:]

    func key(for linkToken: String, now: Int64 = monotonicMicroseconds()) -> String? {
        guard let entry = keys[linkToken], now - entry.readAt < Self.lifetimeMicroseconds else { return nil }
        return entry.key
    }

    mutating func remember(_ key: String, for linkToken: String, now: Int64 = monotonicMicroseconds()) {
        if keys.count >= Self.capacity, keys[linkToken] == nil {
            keys = keys.filter { now - $0.value.readAt < Self.lifetimeMicroseconds }
            if keys.count >= Self.capacity { keys.removeAll(keepingCapacity: true) }
        }
        keys[linkToken] = (key, now)
    }

    mutating func forget(_ linkToken: String) { keys[linkToken] = nil }
}
