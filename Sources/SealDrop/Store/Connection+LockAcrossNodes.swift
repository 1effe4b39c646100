import MariaDB

extension Connection {
    /// Inside a transaction: makes it collide with every other transaction that
    /// locks the same `scope` and one of the same `keys`, on one server and across the nodes of a
    /// Galera cluster alike.
    ///
    /// A locking read (`SELECT … FOR UPDATE`) serialises the transactions of one
    /// node only: Galera certifies the rows a transaction wrote, not those it read,
    /// so a limit checked under such a lock alone lets every node admit up to the
    /// limit at once. This writes a row for the key instead, in `rate_counters` (a
    /// row under a hash that lapses, purged with the counters): of two such
    /// transactions on one node the second waits for the first; of two on different
    /// nodes one fails certification and runs again (``ConflictRetry``), and then
    /// sees what the other committed. Every call changes the row (`hits` moves on),
    /// since an update that changes nothing writes, and certifies, nothing.
    /// `window_start` 0 keeps these rows apart from the counters' windows.
    ///
    /// Several keys are locked in one statement, in sorted order, so transactions
    /// locking overlapping sets queue, never deadlock.
    func lockAcrossNodes(_ scope: String, _ keys: [String], seconds: Int) throws {
        let sorted = Set(keys).sorted()
        let row = "(SHA2(CONCAT(?, ':', ?), 256), 0, 1, NOW() + INTERVAL ? SECOND)"
        try run("""
            INSERT INTO rate_counters (bucket, window_start, hits, expires_at)
            VALUES \(Array(repeating: row, count: sorted.count).joined(separator: ", "))
            ON DUPLICATE KEY UPDATE hits = hits % 1000000 + 1, expires_at = GREATEST(expires_at, VALUES(expires_at))
            """, sorted.flatMap { [.text(scope), .text($0), .int(Int64(seconds))] })
    }
}
