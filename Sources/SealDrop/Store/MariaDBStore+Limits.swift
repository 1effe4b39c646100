import MariaDB

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
}
