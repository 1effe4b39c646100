import MariaDB
import Sodium
import Synchronization

extension MariaDBStore {
    public func countHit(_ bucket: RateBucket) throws(StoreError) -> Int {
        try session.withConnection { connection -> Int in try Self.countHit(bucket, on: connection) }
    }

    /// Counts one hit on `bucket`; inside a transaction, its row stays locked (and the
    /// hit can be taken back by rolling back) until the transaction ends.
    static func countHit(_ bucket: RateBucket, on connection: Connection) throws -> Int {
        // One round trip: a new window inserts 1 (one row affected); an existing
        // one adds 1 and hands the new count back through LAST_INSERT_ID (two rows).
        let result = try connection.run("""
            INSERT INTO rate_counters (bucket, window_start, hits, expires_at)
            VALUES (?, ?, 1, FROM_UNIXTIME(?))
            ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)
            """, [.text(bucket.name), .int(bucket.windowStart), .int(bucket.windowStart + Int64(bucket.windowSeconds))])
        return result.affectedRows == 1 ? 1 : Int(result.lastInsertID)
    }

    public func rateLimitKey() throws(StoreError) -> [UInt8] {
        if let key = Self.cachedKey.withLock({ $0 }) { return key }
        let key = try session.withConnection { connection -> [UInt8] in
            // Every responder on every host shares the database, so the key lives
            // there: whoever asks first creates it, everyone reads the same one.
            _ = try connection.run("INSERT IGNORE INTO sealdrop_settings (name, value) VALUES ('rate_limit_key', ?)",
                                   [.text(Base64.encode(RandomBytes.generate(count: 32)))])
            let rows = try connection.query("SELECT value FROM sealdrop_settings WHERE name = 'rate_limit_key'")
            guard let text = try rows.first?.decode("value", as: String.self), let key = Base64.decode(text) else {
                throw StoreError.failed("rate_limit_key setting is unreadable")
            }
            return key
        }
        Self.cachedKey.withLock { $0 = key }
        return key
    }

    private static let cachedKey = Mutex<[UInt8]?>(nil)
}
