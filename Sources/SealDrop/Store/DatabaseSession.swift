import MariaDB
import Synchronization

/// One worker thread's connection to MariaDB, made when first needed and made
/// again after it is lost, so the responder starts without the database and
/// recovers when it returns, with no restart.
///
/// With several servers (`DB_HOSTS`, the nodes of a Galera cluster) a new
/// connection goes to the first that answers and is ready, trying them in turn
/// from the one that worked last: a session that failed over stays where it
/// landed instead of knocking at a dead server on every reconnect.
final class DatabaseSession {
    private let servers: [ConnectionOptions]
    /// Index in ``servers`` of the connection, or of the server to try first.
    private var current = 0
    private var connection: Connection?
    /// The outage generation this connection was made in (see ``outages``).
    private var generation: UInt64 = 0
    /// When the last connection attempt failed. While the database is down each
    /// worker tries again at most once a second and answers 503 at once in between,
    /// so a dead TCP host does not hold every request for the connect timeout.
    private var lastFailedAttempt: Int64?
    /// ``recoveries`` when that attempt failed.
    private var recoveriesAtFailure: UInt64 = 0
    static let retryIntervalMicroseconds: Int64 = 1_000_000
    /// Bumped by a worker that connects after failing: the database is back, so
    /// the others stop waiting out their retry interval.
    static let recoveries = Atomic<UInt64>(0)

    /// Bumped by whichever thread first sees a connection drop. Other threads'
    /// connections were likely cut by the same restart, so they ping before
    /// their next use instead of failing one request each.
    static let outages = Atomic<UInt64>(0)

    /// When a statement last succeeded on this connection.
    private var lastVerified: Int64 = 0
    static let healthTrustMicroseconds: Int64 = 1_000_000

    init(servers: [ConnectionOptions]) {
        precondition(!servers.isEmpty, "a database session needs a server")
        self.servers = servers
    }

    /// Runs `body` on a live connection. A connection found dead before the
    /// statement was sent is replaced and the body retried once; a failure
    /// mid-statement is not retried, since the statement may have taken effect.
    /// A transaction rolled back by a conflict runs again (``ConflictRetry``); when
    /// that keeps failing, the answer is 503. A Galera node that refuses statements
    /// (not in the primary component) is left for the next server.
    func withConnection<T>(_ body: (Connection) throws -> T) throws(StoreError) -> T {
        var resent = false
        var serversLeft = servers.count - 1
        var conflicts = ConflictRetry()
        while true {
            let live = try liveConnection()
            do {
                let result = try body(live)
                lastVerified = monotonicMicroseconds()
                return result
            } catch let error as MariaDBError where error.isConnectionLost {
                discardConnection()
                // Server gone: the statement never reached the server, so it can be sent again.
                guard error.code == .serverGone, !resent else { throw StoreError.unavailable }
                resent = true
            } catch let error as MariaDBError where error.isNodeNotReady {
                // Refused before anything was done: another node may take it.
                discardConnection(leavingServer: true)
                guard serversLeft > 0 else { throw StoreError.unavailable }
                serversLeft -= 1
            } catch let error as MariaDBError where ConflictRetry.covers(error) {
                guard conflicts.pauseBeforeNextAttempt() else { throw StoreError.unavailable }
            } catch {
                throw classify(error)
            }
        }
    }

    /// Whether the database answers. A connection that ran a statement within the
    /// last second, whose socket the server has not closed, needs no round trip
    /// (health checks come often); otherwise it is pinged.
    func checkHealth() throws(StoreError) {
        if let connection, !connection.isBroken, generation == Self.outages.load(ordering: .relaxed),
           monotonicMicroseconds() - lastVerified < Self.healthTrustMicroseconds, connection.isSocketOpen {
            return
        }
        try withConnection { connection in
            guard connection.ping() else {
                throw MariaDBError(code: .serverGone, sqlState: "HY000", message: "ping failed")
            }
        }
    }

    private func liveConnection() throws(StoreError) -> Connection {
        let outage = Self.outages.load(ordering: .relaxed)
        // A server that went away (a node killed, restarted) has closed the socket:
        // seen here, without a round trip, the request goes to a new connection
        // instead of failing on the dead one.
        if let connection, !connection.isBroken, connection.isSocketOpen {
            if generation == outage { return connection }
            generation = outage
            if connection.ping() { return connection }
        }
        connection = nil
        let now = monotonicMicroseconds()
        let recovered = Self.recoveries.load(ordering: .relaxed)
        if let lastFailedAttempt, now - lastFailedAttempt < Self.retryIntervalMicroseconds, recovered == recoveriesAtFailure {
            throw StoreError.unavailable
        }
        do {
            let (fresh, index) = try Self.connect(servers, startingAt: current)
            connection = fresh
            current = index
            generation = outage
            if lastFailedAttempt != nil { Self.recoveries.add(1, ordering: .relaxed) }
            lastFailedAttempt = nil
            return fresh
        } catch {
            lastFailedAttempt = now
            recoveriesAtFailure = recovered
            throw StoreError.unavailable
        }
    }

    /// A prepared connection to the first of `servers` that answers and is ready,
    /// trying them in turn from `first`, and the index of that server.
    ///
    /// - Throws: the last server's error when none could be used.
    static func connect(_ servers: [ConnectionOptions], startingAt first: Int = 0) throws -> (Connection, Int) {
        var lastError: any Error = StoreError.unavailable
        for offset in 0..<servers.count {
            let index = (first + offset) % servers.count
            do {
                let connection = try Connection(servers[index])
                try prepareSession(connection)
                return (connection, index)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// READ COMMITTED, where the binary log allows it. Under REPEATABLE READ an
    /// `INSERT … SELECT` takes shared next-key locks on every row it reads, so
    /// two links' requests lock each other's index gaps and deadlock under load
    /// (measured with the challenge requests of SealDrop before 0.11); every statement SealDrop runs is correct without them (each
    /// check that must not be raced holds the link's row lock, and each read
    /// after that lock sees what committed before it). Statement-based binary
    /// logging refuses writes under READ COMMITTED, so there the session keeps
    /// the server's level and lives with retried deadlocks.
    private static func prepareSession(_ connection: Connection) throws {
        try connection.execute("""
            SET SESSION tx_isolation = IF(@@log_bin = 1 AND @@binlog_format = 'STATEMENT', @@tx_isolation, 'READ-COMMITTED')
            """)
        try prepareGaleraSession(connection)
    }

    private func discardConnection(leavingServer: Bool = false) {
        connection = nil
        if leavingServer { current = (current + 1) % servers.count }
        Self.outages.add(1, ordering: .relaxed)
    }

    private func classify(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? MariaDBError {
            if error.isConnectionLost {
                discardConnection()
                return .unavailable
            }
            return .failed(error.description)
        }
        return .failed(String(describing: error))
    }
}

@available(*, unavailable)
extension DatabaseSession: Sendable {}
