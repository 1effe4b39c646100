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

    public func foldHits(_ folds: [CounterFold]) throws(StoreError) -> [CounterTotal] {
        guard !folds.isEmpty else { return [] }
        let chunks = stride(from: 0, to: folds.count, by: Self.maxFoldRows).map {
            Array(folds[$0..<min($0 + Self.maxFoldRows, folds.count)])
        }
        // Each chunk is one statement of its own, committed and (after a conflict,
        // which rolls the statement back whole) retried on its own: no transaction
        // holds a large fold's rows across round trips while others wait on them.
        var totals: [CounterTotal] = []
        for chunk in chunks {
            totals += try session.withConnection { connection -> [CounterTotal] in try Self.fold(chunk, on: connection) }
        }
        return totals
    }

    /// Rows per fold statement. Each connection keeps every shape it prepared, with
    /// its parameters' bind buffers (about 120 bytes a placeholder): shapes up to
    /// 256 rows cost about 250 KiB a connection; up to 8,192 cost 8 MiB, which a
    /// benchmark's workers showed as 35 MiB resident instead of 16 (and 1,024
    /// still left a worker at 19.4 MiB in `LimitFoldTests`, 256 at 17.3).
    static let maxFoldRows = 256

    /// Adds the chunk's hits and reads the totals back in the same statement.
    /// The rows are padded to a power of two with copies of the last row adding
    /// nothing, so a connection prepares at most 9 shapes of the statement, not
    /// one per count of buckets.
    private static func fold(_ folds: [CounterFold], on connection: Connection) throws -> [CounterTotal] {
        var rows = folds
        var shape = 1
        while shape < rows.count { shape *= 2 }
        if let last = rows.last {
            rows += repeatElement(CounterFold(bucket: last.bucket, windowStart: last.windowStart,
                                              expiresAt: last.expiresAt, hits: 0), count: shape - rows.count)
        }
        let values = Array(repeating: "(?, ?, ?, FROM_UNIXTIME(?))", count: shape).joined(separator: ", ")
        let parameters = rows.flatMap { row -> [Value] in
            [.text(row.bucket), .int(row.windowStart), .int(Int64(row.hits)), .int(row.expiresAt)]
        }
        let returned = try connection.query("""
            INSERT INTO rate_counters (bucket, window_start, hits, expires_at) VALUES \(values)
            ON DUPLICATE KEY UPDATE hits = hits + VALUES(hits)
            RETURNING bucket, window_start, hits
            """, parameters)
        return try returned.map { row throws -> CounterTotal in
            CounterTotal(bucket: try row.decode("bucket"), windowStart: try row.decode("window_start"),
                         hits: try row.decode("hits"))
        }
    }
}
