import CMariaDB
import Glibc

/// One session with a MariaDB server (a `MYSQL` handle) and its cache of prepared
/// statements.
///
/// Not thread-safe: a connection, and the statements it made, must be used by one
/// thread at a time (SealDrop gives each worker thread its own). The session uses
/// utf8mb4, `time_zone = '+00:00'`, autocommit, and never reconnects by itself:
/// after an error whose ``MariaDBError/isConnectionLost`` is true, ``isBroken`` is
/// set, every later call throws, and the owner must make a new connection.
public final class Connection {
    private let mysql: UnsafeMutablePointer<MYSQL>
    private let health = ConnectionHealth()
    /// Prepared statements by SQL text. Unbounded: callers use a fixed set of SQL strings.
    private var statements: [String: Statement] = [:]
    var isInTransaction = false

    /// Connects: `mysql_init`, options (utf8mb4, timeouts, no automatic reconnect, no
    /// `LOAD DATA LOCAL`, TCP unless a socket path is given, even to "localhost"),
    /// `mysql_real_connect`, then `SET time_zone = '+00:00'`.
    /// Everything is released if any step fails.
    ///
    /// - Throws: `MariaDBError`, e.g. ``MariaDBError/Code/accessDenied`` or
    ///   ``MariaDBError/Code/cantConnect``.
    public init(_ options: ConnectionOptions) throws {
        MariaDBLibrary.initialize()
        guard MariaDBLibrary.isInitialized else {
            throw MariaDBError(code: .unknownClientError, message: "mysql_library_init failed")
        }
        guard let mysql = mysql_init(nil) else {
            throw MariaDBError(code: .outOfMemory, message: "mysql_init failed")
        }
        do {
            try Self.configure(mysql, options)
            try Self.connect(mysql, options)
        } catch {
            mysql_close(mysql)
            throw error
        }
        self.mysql = mysql
        // From here on, a throw runs deinit, which closes the handle.
        try execute("SET time_zone = '+00:00'")
    }

    deinit {
        // Statements first: they reference the MYSQL handle.
        for statement in statements.values { statement.close() }
        mysql_close(mysql)
    }

    /// True once an error showed the connection is lost; it must then be replaced.
    public var isBroken: Bool { health.isBroken }

    /// The server's id for this session (`mysql_thread_id`), as `CONNECTION_ID()`
    /// and `SHOW PROCESSLIST` show it.
    public var serverConnectionID: UInt64 { UInt64(mysql_thread_id(mysql)) }

    /// Runs SQL through the text protocol (`mysql_real_query`), for DDL and statements
    /// that cannot be prepared. Takes no parameters: never build `sql` from input.
    /// Any rows returned are read and discarded.
    ///
    /// - Throws: `MariaDBError`; a lost connection also marks it broken.
    public func execute(_ sql: String) throws {
        if health.isBroken { throw MariaDBError.connectionBroken }
        do {
            let status = sql.withCString { mysql_real_query(mysql, $0, UInt(sql.utf8.count)) }
            if status != 0 { throw MariaDBError(connection: mysql) }
            // Every result set must be read, or the next command is out of sync.
            while true {
                if let result = mysql_store_result(mysql) {
                    mysql_free_result(result)
                } else if mysql_field_count(mysql) != 0 {
                    throw MariaDBError(connection: mysql)
                }
                let next = mysql_next_result(mysql)
                if next > 0 { throw MariaDBError(connection: mysql) }
                if next < 0 { return }
            }
        } catch let error as MariaDBError {
            health.record(error)
            throw error
        }
    }

    /// The prepared statement for `sql`, prepared on first use (one round trip) and
    /// then taken from this connection's cache, so the hot path never prepares.
    ///
    /// - Throws: `MariaDBError` from `mysql_stmt_prepare` (e.g. a syntax error).
    public func statement(_ sql: String) throws -> Statement {
        if let cached = statements[sql], !cached.needsPreparing { return cached }
        if health.isBroken { throw MariaDBError.connectionBroken }
        if let stale = statements.removeValue(forKey: sql) { stale.close() }
        do {
            let statement = try Statement(sql: sql, mysql: mysql, health: health)
            statements[sql] = statement
            return statement
        } catch let error as MariaDBError {
            health.record(error)
            throw error
        }
    }

    /// Runs a statement that returns no rows, with `parameters` bound to its `?`
    /// placeholders in order. Prepared once per connection (see ``statement(_:)``).
    ///
    /// - Throws: `MariaDBError`.
    @discardableResult
    public func run(_ sql: String, _ parameters: [Value] = []) throws -> ExecutionResult {
        try statement(sql).execute(parameters)
    }

    /// Runs a query with `parameters` bound to its `?` placeholders and returns all
    /// rows. Prepared once per connection (see ``statement(_:)``).
    ///
    /// - Throws: `MariaDBError`.
    public func query(_ sql: String, _ parameters: [Value] = []) throws -> [Row] {
        try statement(sql).query(parameters)
    }

    /// Checks that the server still answers (`mysql_ping`, one round trip).
    /// Returns false, and marks the connection broken, if it does not.
    public func ping() -> Bool {
        if health.isBroken { return false }
        if mysql_ping(mysql) == 0 { return true }
        let error = MariaDBError(connection: mysql)
        health.record(error)
        // A ping that fails for another reason still means the session is unusable.
        if !error.isConnectionLost { health.record(.connectionBroken) }
        return false
    }

    /// Whether the server has not closed this connection, as far as the socket
    /// tells without a round trip (`poll`: end of file or unexpected data makes it readable). A
    /// server that shut down or killed the session fails this at once; a hung one
    /// does not, so callers still ping from time to time.
    public var isSocketOpen: Bool {
        if health.isBroken { return false }
        let socket = mysql_get_socket(mysql)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: Int32(socket), events: Int16(POLLIN), revents: 0)
        // Between statements the server sends nothing: any event means EOF or an error.
        return poll(&descriptor, 1, 0) == 0
    }

    /// Number of statements in the cache (for tests and diagnostics).
    public var cachedStatementCount: Int { statements.count }
}

@available(*, unavailable)
extension Connection: Sendable {}

// MARK: - Connecting

extension Connection {
    private static func configure(_ mysql: UnsafeMutablePointer<MYSQL>, _ options: ConnectionOptions) throws {
        func set(_ option: mysql_option, _ value: UnsafeRawPointer, _ name: String) throws {
            if mysql_options(mysql, option, value) != 0 {
                throw MariaDBError(code: .unknownClientError, message: "cannot set option \(name)")
            }
        }
        try "utf8mb4".withCString { try set(MYSQL_SET_CHARSET_NAME, $0, "charset") }
        var connectTimeout = options.connectTimeout
        var readTimeout = options.readTimeout
        var writeTimeout = options.writeTimeout
        var reconnect: my_bool = 0
        var localInfile: UInt32 = 0
        // Explicit, because Connector/C otherwise treats the host "localhost" as "the
        // default unix socket": without a socket path, host and port are always TCP.
        var transport = options.unixSocket == nil ? MYSQL_PROTOCOL_TCP.rawValue : MYSQL_PROTOCOL_SOCKET.rawValue
        try set(MYSQL_OPT_PROTOCOL, &transport, "protocol")
        try set(MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout, "connect timeout")
        try set(MYSQL_OPT_READ_TIMEOUT, &readTimeout, "read timeout")
        try set(MYSQL_OPT_WRITE_TIMEOUT, &writeTimeout, "write timeout")
        // An automatic reconnect would silently lose session state (time zone,
        // transaction, prepared statements); the owner reconnects instead.
        try set(MYSQL_OPT_RECONNECT, &reconnect, "reconnect")
        try set(MYSQL_OPT_LOCAL_INFILE, &localInfile, "local infile")
    }

    private static func connect(_ mysql: UnsafeMutablePointer<MYSQL>, _ options: ConnectionOptions) throws {
        let flags = options.allowMultipleStatements ? UInt(CLIENT_MULTI_STATEMENTS) : 0
        // With a socket path, the host must be nil (= localhost) for Connector/C to use it.
        let host = options.unixSocket == nil ? options.host : nil
        let connected = withOptionalCString(host) { host in
            withOptionalCString(options.unixSocket) { socket in
                mysql_real_connect(
                    mysql,
                    host,
                    options.user,
                    options.password,
                    options.database,
                    options.port,
                    socket,
                    flags
                )
            }
        }
        if connected == nil { throw MariaDBError(connection: mysql) }
    }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString(body)
}
