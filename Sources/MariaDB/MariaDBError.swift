import CMariaDB

/// An error reported by MariaDB Connector/C or by the server: the error number,
/// the SQLSTATE and the message.
///
/// Match ``code`` by name (``Code``) to react to a specific failure:
///
/// ```swift
/// do {
///     try connection.run("INSERT INTO links (token) VALUES (?)", [.text(token)])
/// } catch MariaDBError.Code.duplicateEntry {
///     // pick another token
/// }
/// ```
///
/// The description never contains bound values: SealDrop only binds, so SQL text holds
/// none, and the server messages that quote a value (duplicate entry, incorrect value)
/// have that value replaced by `…` when the error is made.
public struct MariaDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server's or the client's error number, named in ``Code``.
    public let code: Code
    /// Five-character SQLSTATE, e.g. `23000` for an integrity violation, `HY000` when unknown.
    public let sqlState: String
    /// The server's or client's message, with quoted values redacted.
    public let message: String

    /// Creates an error; `message` is used as given.
    public init(code: Code, sqlState: String = "HY000", message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        "MariaDB error \(code) (SQLSTATE \(sqlState)): \(message)"
    }

    /// True when the connection that produced this error must be discarded: the network
    /// link or the server session is gone, or its protocol state is unknown. A new
    /// connection may succeed. Errors from `Connection.init` with these codes mean
    /// the server could not be reached.
    public var isConnectionLost: Bool {
        Self.connectionLostCodes.contains(code)
    }

    /// True for a duplicate-key violation of a primary or unique key.
    public var isDuplicateEntry: Bool {
        code == .duplicateEntry || code == .duplicateEntryWithKeyName
    }

    /// True when the transaction was rolled back by the server because of a deadlock or
    /// a lock wait timeout; running the whole transaction again may succeed. On a Galera
    /// node this includes a certification conflict: another node committed a write to a
    /// row this transaction wrote, and this one was aborted (``Code/deadlock``, at commit
    /// or at its next statement).
    public var isTransactionRetryable: Bool {
        code == .deadlock || code == .lockWaitTimeout
    }

    /// True when a Galera node refused the statement because it is not part of the
    /// cluster's primary component now (starting, joining, or cut off from the others).
    /// Nothing was done; another node may take the statement.
    public var isNodeNotReady: Bool {
        code == .wsrepNotReady
    }

    /// For a duplicate-entry error, the name of the violated key (`PRIMARY` or the index
    /// name), read from the message; otherwise nil.
    public var duplicateKeyName: String? {
        guard isDuplicateEntry, let range = message.ranges(of: " for key '").last else { return nil }
        var name = message[range.upperBound...]
        if name.hasSuffix("'") { name = name.dropLast() }
        return String(name)
    }

    private static let connectionLostCodes: Set<Code> = [
        .serverShutdown, .normalShutdown, .abortingConnection, .packetTooLarge,
        .netReadErrorFromPipe, .netFcntlError, .netPacketsOutOfOrder, .netUncompressError,
        .netReadError, .netReadInterrupted, .netWriteError, .netWriteInterrupted,
        .newAbortingConnection, .connectionKilled, .clientInteractionTimeout,
        .socketCreateError, .cantConnect, .cantConnectToHost, .ipSocketError, .unknownHost, .serverGone,
        .outOfMemory, .handshakeError, .lostConnection, .commandsOutOfSync, .tlsConnectionError,
        .malformedPacket, .lostConnectionExtended, .netRead, .netWrite,
    ]
}

// MARK: - Reading errors from Connector/C

extension MariaDBError {
    /// The last error of a connection handle (`mysql_errno`, `mysql_sqlstate`, `mysql_error`).
    init(connection mysql: UnsafeMutablePointer<MYSQL>) {
        self.init(
            reportedCode: mysql_errno(mysql),
            sqlState: mysql_sqlstate(mysql),
            message: mysql_error(mysql)
        )
    }

    /// The last error of a statement handle (`mysql_stmt_errno`, `mysql_stmt_sqlstate`, `mysql_stmt_error`).
    init(statement stmt: UnsafeMutablePointer<MYSQL_STMT>) {
        self.init(
            reportedCode: mysql_stmt_errno(stmt),
            sqlState: mysql_stmt_sqlstate(stmt),
            message: mysql_stmt_error(stmt)
        )
    }

    private init(reportedCode: UInt32, sqlState: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?) {
        // A failed call that left no error number behind is still a failure.
        let code = reportedCode == 0 ? Code.unknownClientError : Code(rawValue: reportedCode)
        let text = message.map { String(cString: $0) } ?? ""
        self.init(
            code: code,
            sqlState: sqlState.map { String(cString: $0) } ?? "HY000",
            message: Self.redactingValues(in: text.isEmpty ? "unknown error" : text, code: code)
        )
    }
}
