import Glibc
import MariaDB
import Sodium

/// Lets one `sealdrop migrate` at a time change the schema, however many hosts
/// start it at once and whichever database servers they reach.
///
/// `GET_LOCK` did this on one server, but a Galera node keeps it to itself: three
/// hosts migrating through three nodes each got it at once. Every node certifies
/// writes to a row, though, so the lock is a row: its holder inserts it and deletes
/// it when done, and of two inserting it at once through different nodes one fails
/// (a duplicate key, or a certification conflict) and waits. The row carries an
/// expiry, renewed before each step, so a migration that died holding it blocks the
/// others only until then.
struct MigrationLock {
    /// Created by `migrate` before anything else (DDL replicates to every node in
    /// the same order): not a schema version, since only `migrate` uses it.
    static let table = """
        CREATE TABLE IF NOT EXISTS sealdrop_migration_lock (
          name VARCHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
          holder VARCHAR(64) CHARACTER SET ascii NOT NULL,
          expires_at TIMESTAMP NOT NULL
        ) ENGINE=InnoDB
        """
    /// How long the lock holds without renewal: longer than any one step takes.
    static let leaseSeconds: Int64 = 600
    /// How long a migration waits for another to finish, as `GET_LOCK` did.
    static let waitSeconds: Int64 = 60

    private let connection: Connection
    private let holder = Base64.encodeURLSafeNoPadding(RandomBytes.generate(count: 16))

    /// Takes the lock, waiting while another migration holds it.
    ///
    /// - Throws: `StoreError.failed` when it is still held after ``waitSeconds``;
    ///   `MariaDBError` when the database fails.
    static func acquire(on connection: Connection) throws -> MigrationLock {
        try connection.execute(table)
        let lock = MigrationLock(connection: connection)
        let deadline = monotonicMicroseconds() + waitSeconds * 1_000_000
        while try !lock.take() {
            guard monotonicMicroseconds() < deadline else {
                let until = try connection.query("SELECT expires_at FROM sealdrop_migration_lock WHERE name = 'migrate'")
                    .first?.decode("expires_at", as: Timestamp.self).iso8601
                throw StoreError.failed("another `sealdrop migrate` still holds the migration lock"
                                        + (until.map { " (its lease runs out at \($0))" } ?? ""))
            }
            usleep(UInt32.random(in: 100_000...300_000))
        }
        return lock
    }

    private func take() throws -> Bool {
        do {
            try connection.run("""
                INSERT INTO sealdrop_migration_lock (name, holder, expires_at)
                VALUES ('migrate', ?, NOW() + INTERVAL ? SECOND)
                """, [.text(holder), .int(Self.leaseSeconds)])
            return true
        } catch let error as MariaDBError where error.isDuplicateEntry || error.isTransactionRetryable {
            // Held, or taken through another node at the same moment. A lease that
            // ran out (its holder died) is taken over; of two trying, one wins.
            do {
                return try connection.run("""
                    UPDATE sealdrop_migration_lock SET holder = ?, expires_at = NOW() + INTERVAL ? SECOND
                    WHERE name = 'migrate' AND expires_at < NOW()
                    """, [.text(holder), .int(Self.leaseSeconds)]).affectedRows == 1
            } catch let error as MariaDBError where error.isTransactionRetryable {
                return false
            }
        }
    }

    /// Extends the lease before a step.
    ///
    /// - Throws: `StoreError.failed` when the lock is no longer held (its lease ran
    ///   out and another migration took it over).
    func renew() throws {
        try connection.run("UPDATE sealdrop_migration_lock SET expires_at = NOW() + INTERVAL ? SECOND WHERE name = 'migrate' AND holder = ?",
                           [.int(Self.leaseSeconds), .text(holder)])
        // Checked apart: an update within the same second changes nothing and counts no row.
        let held = try connection.query("SELECT 1 FROM sealdrop_migration_lock WHERE name = 'migrate' AND holder = ?",
                                        [.text(holder)])
        guard !held.isEmpty else { throw StoreError.failed("the migration lock was lost (its lease ran out)") }
    }

    func release() {
        _ = try? connection.run("DELETE FROM sealdrop_migration_lock WHERE name = 'migrate' AND holder = ?", [.text(holder)])
    }
}
