import CMariaDB

/// A server-side prepared statement (`MYSQL_STMT`), made by ``Connection/statement(_:)``
/// and cached by its connection.
///
/// Not thread-safe: use it only on the thread that uses its connection. Once the
/// connection is closed, its statements throw ``MariaDBError/Code/statementClosed``.
public final class Statement {
    /// The SQL text it was prepared from.
    public let sql: String
    /// Number of `?` placeholders; every execution binds exactly this many values.
    public let parameterCount: Int

    private var handle: UnsafeMutablePointer<MYSQL_STMT>?
    private let health: ConnectionHealth
    private let parameters: ParameterBindings
    private let results = ResultBindings()
    /// Set when the server reported new result metadata (a table changed): the
    /// connection prepares the SQL again instead of reusing this statement.
    private(set) var needsPreparing = false

    /// `mysql_stmt_init` + `mysql_stmt_prepare` (one round trip). Throws `MariaDBError`.
    init(sql: String, mysql: UnsafeMutablePointer<MYSQL>, health: ConnectionHealth) throws {
        guard let stmt = mysql_stmt_init(mysql) else { throw MariaDBError(connection: mysql) }
        let prepared = sql.withCString { mysql_stmt_prepare(stmt, $0, UInt(sql.utf8.count)) }
        if prepared != 0 {
            let error = MariaDBError(statement: stmt)
            mysql_stmt_close(stmt)
            throw error
        }
        // Makes mysql_stmt_store_result compute each column's max_length, from which
        // result buffers are sized.
        var updateMaxLength: my_bool = 1
        if mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &updateMaxLength) != 0 {
            let error = MariaDBError(statement: stmt)
            mysql_stmt_close(stmt)
            throw error
        }
        self.sql = sql
        self.handle = stmt
        self.health = health
        self.parameterCount = Int(mysql_stmt_param_count(stmt))
        self.parameters = ParameterBindings(count: parameterCount)
    }

    deinit {
        close()
    }

    /// Closes the server-side statement (`mysql_stmt_close`); later calls throw.
    func close() {
        guard let handle else { return }
        mysql_stmt_close(handle)
        self.handle = nil
    }

    /// Executes a statement that returns no rows (INSERT, UPDATE, DELETE, DDL).
    /// If it does return rows, they are read and discarded.
    ///
    /// - Throws: `MariaDBError`; when ``MariaDBError/isConnectionLost`` is true, the
    ///   connection is marked broken.
    @discardableResult
    public func execute(_ parameters: [Value] = []) throws -> ExecutionResult {
        try run(parameters) { stmt in
            if mysql_stmt_field_count(stmt) > 0, mysql_stmt_store_result(stmt) != 0 {
                throw MariaDBError(statement: stmt)
            }
            return ExecutionResult(affectedRows: mysql_stmt_affected_rows(stmt), lastInsertID: mysql_stmt_insert_id(stmt))
        }
    }

    /// Executes a statement and returns all its rows (an empty array if it returns none).
    ///
    /// - Throws: `MariaDBError`, as ``execute(_:)``.
    public func query(_ parameters: [Value] = []) throws -> [Row] {
        try run(parameters) { stmt in
            guard mysql_stmt_field_count(stmt) > 0 else { return [] }
            if mysql_stmt_store_result(stmt) != 0 { throw MariaDBError(statement: stmt) }
            return try results.readRows(from: stmt)
        }
    }

    /// Binds, executes (`mysql_stmt_execute`), lets `read` consume the result, and
    /// always leaves the statement and connection ready for the next command: the
    /// stored result is freed and any further result sets are drained, on every path.
    private func run<R>(_ values: [Value], _ read: (UnsafeMutablePointer<MYSQL_STMT>) throws -> R) throws -> R {
        guard let stmt = handle else {
            throw MariaDBError(code: .statementClosed, message: "the statement's connection is closed")
        }
        if health.isBroken { throw MariaDBError.connectionBroken }
        guard values.count == parameterCount else {
            throw MariaDBError(
                code: .wrongParameterCount,
                message: "the statement has \(parameterCount) parameters, \(values.count) values were given"
            )
        }
        var executed = false
        do {
            let result = try parameters.withBinding(values, to: stmt) { () throws -> R in
                if mysql_stmt_execute(stmt) != 0 { throw MariaDBError(statement: stmt) }
                executed = true
                return try read(stmt)
            }
            mysql_stmt_free_result(stmt)
            try drainResults(of: stmt)
            return result
        } catch let error as MariaDBError {
            health.record(error)
            if error.code == .newStatementMetadata { needsPreparing = true }
            if !error.isConnectionLost { recover(stmt, afterExecution: executed || needsPreparing) }
            throw error
        }
    }

    /// Brings the statement back to "prepared" after a failure that left the
    /// connection usable. A failed `mysql_stmt_execute` needs nothing; but when rows
    /// were being read (e.g. a subquery error in the middle of the result) Connector/C
    /// stays in a fetching state, and its next execute would wait for rows that never
    /// come. `mysql_stmt_free_result` frees or flushes what is pending, and
    /// `mysql_stmt_reset` (one round trip, only on this error path) resets the state.
    private func recover(_ stmt: UnsafeMutablePointer<MYSQL_STMT>, afterExecution: Bool) {
        mysql_stmt_free_result(stmt)
        guard afterExecution else { return }
        if mysql_stmt_reset(stmt) != 0 { health.record(MariaDBError(statement: stmt)) }
    }

    /// Reads and discards result sets after the first (a `CALL` returns a status
    /// result after its rows), so none is left pending on the connection.
    private func drainResults(of stmt: UnsafeMutablePointer<MYSQL_STMT>) throws {
        while mysql_stmt_more_results(stmt) != 0 {
            let status = mysql_stmt_next_result(stmt)
            if status > 0 { throw MariaDBError(statement: stmt) }
            if status < 0 { return }
            if mysql_stmt_field_count(stmt) > 0, mysql_stmt_store_result(stmt) != 0 {
                throw MariaDBError(statement: stmt)
            }
            mysql_stmt_free_result(stmt)
        }
    }
}

@available(*, unavailable)
extension Statement: Sendable {}
