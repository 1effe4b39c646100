import CMariaDB

/// An error reported by MariaDB Connector/C or by the server: the error number,
/// the SQLSTATE and the message.
///
/// Compare ``code`` with the named constants to react to a specific failure:
///
/// ```swift
/// do {
///     try connection.run("INSERT INTO links (token) VALUES (?)", [.text(token)])
/// } catch let error as MariaDBError where error.code == MariaDBError.duplicateEntry {
///     // pick another token
/// }
/// ```
///
/// The description never contains bound values: SealDrop only binds, so SQL text holds
/// none, and the server messages that quote a value (duplicate entry, incorrect value)
/// have that value replaced by `…` when the error is made.
public struct MariaDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Server error number (1000–1999, 3000–4999) or client error number (2000–2999, 5000+).
    public let code: UInt32
    /// Five-character SQLSTATE, e.g. `23000` for an integrity violation, `HY000` when unknown.
    public let sqlState: String
    /// The server's or client's message, with quoted values redacted.
    public let message: String

    /// Creates an error; `message` is used as given.
    public init(code: UInt32, sqlState: String = "HY000", message: String) {
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
        code == Self.duplicateEntry || code == Self.duplicateEntryWithKeyName
    }

    /// True when the transaction was rolled back by the server because of a deadlock or
    /// a lock wait timeout; running the whole transaction again may succeed. On a Galera
    /// node this includes a certification conflict: another node committed a write to a
    /// row this transaction wrote, and this one was aborted (``deadlock``, at commit or
    /// at its next statement).
    public var isTransactionRetryable: Bool {
        code == Self.deadlock || code == Self.lockWaitTimeout
    }

    /// True when a Galera node refused the statement because it is not part of the
    /// cluster's primary component now (starting, joining, or cut off from the others).
    /// Nothing was done; another node may take the statement.
    public var isNodeNotReady: Bool {
        code == Self.wsrepNotReady
    }

    /// For a duplicate-entry error, the name of the violated key (`PRIMARY` or the index
    /// name), read from the message; otherwise nil.
    public var duplicateKeyName: String? {
        guard isDuplicateEntry, let range = message.ranges(of: " for key '").last else { return nil }
        var name = message[range.upperBound...]
        if name.hasSuffix("'") { name = name.dropLast() }
        return String(name)
    }

    private static let connectionLostCodes: Set<UInt32> = [
        serverShutdown, normalShutdown, abortingConnection, packetTooLarge,
        1154, 1155, 1156, 1157, 1158, 1159, 1160, 1161,  // ER_NET_* read/write failures
        newAbortingConnection, connectionKilled, clientInteractionTimeout,
        socketCreateError, cantConnect, cantConnectToHost, 2004, unknownHost, serverGone,
        outOfMemory, 2012, lostConnection, commandsOutOfSync, 2026, 2027, lostConnectionExtended,
        5013, 5014,  // CR_ERR_NET_READ, CR_ERR_NET_WRITE
    ]
}

// MARK: - Named codes

extension MariaDBError {
    /// ER_ACCESS_DENIED_ERROR: wrong user or password.
    public static let accessDenied: UInt32 = 1045
    /// ER_UNKNOWN_COM_ERROR, which a Galera node answers to every statement while it is
    /// not in the primary component ("WSREP has not yet prepared node for application use").
    public static let wsrepNotReady: UInt32 = 1047
    /// ER_BAD_DB_ERROR: unknown database.
    public static let unknownDatabase: UInt32 = 1049
    /// ER_SERVER_SHUTDOWN: the server is shutting down.
    public static let serverShutdown: UInt32 = 1053
    /// ER_DUP_ENTRY: duplicate value for a primary or unique key.
    public static let duplicateEntry: UInt32 = 1062
    /// ER_NORMAL_SHUTDOWN.
    public static let normalShutdown: UInt32 = 1077
    /// ER_NO_SUCH_TABLE.
    public static let noSuchTable: UInt32 = 1146
    /// ER_ABORTING_CONNECTION.
    public static let abortingConnection: UInt32 = 1152
    /// ER_NET_PACKET_TOO_LARGE: a packet exceeded `max_allowed_packet`; the server closes the connection.
    public static let packetTooLarge: UInt32 = 1153
    /// ER_NEW_ABORTING_CONNECTION.
    public static let newAbortingConnection: UInt32 = 1184
    /// ER_LOCK_WAIT_TIMEOUT: the statement waited too long for a row lock.
    public static let lockWaitTimeout: UInt32 = 1205
    /// ER_LOCK_DEADLOCK: the transaction was chosen as a deadlock victim and rolled back.
    public static let deadlock: UInt32 = 1213
    /// ER_QUERY_INTERRUPTED: `KILL QUERY` or `max_statement_time`; the connection stays usable.
    public static let queryInterrupted: UInt32 = 1317
    /// ER_AUTOINC_READ_FAILED: reading the auto-increment value failed; concurrent
    /// `INSERT … SELECT` can meet it under load, and a new attempt usually succeeds.
    public static let autoIncrementReadFailed: UInt32 = 1467
    /// ER_DUP_ENTRY_WITH_KEY_NAME.
    public static let duplicateEntryWithKeyName: UInt32 = 1586
    /// ER_CONNECTION_KILLED: the session was killed (`KILL CONNECTION`).
    public static let connectionKilled: UInt32 = 1927
    /// ER_CLIENT_INTERACTION_TIMEOUT: the server closed an idle connection.
    public static let clientInteractionTimeout: UInt32 = 4031

    /// CR_UNKNOWN_ERROR: also used for misuse of this module (e.g. nested transactions).
    public static let unknownClientError: UInt32 = 2000
    /// CR_SOCKET_CREATE_ERROR.
    public static let socketCreateError: UInt32 = 2001
    /// CR_CONNECTION_ERROR: cannot connect through the unix socket.
    public static let cantConnect: UInt32 = 2002
    /// CR_CONN_HOST_ERROR: cannot connect to the TCP host.
    public static let cantConnectToHost: UInt32 = 2003
    /// CR_UNKNOWN_HOST.
    public static let unknownHost: UInt32 = 2005
    /// CR_SERVER_GONE_ERROR: the server was gone before the command was sent. Also used
    /// by this module for any call on a connection already marked broken.
    public static let serverGone: UInt32 = 2006
    /// CR_OUT_OF_MEMORY.
    public static let outOfMemory: UInt32 = 2008
    /// CR_SERVER_LOST: the connection was lost during a command; it may have taken effect.
    public static let lostConnection: UInt32 = 2013
    /// CR_COMMANDS_OUT_OF_SYNC: protocol state is unknown; the connection is discarded.
    public static let commandsOutOfSync: UInt32 = 2014
    /// CR_INVALID_PARAMETER_NO: the number of values does not match the placeholders.
    public static let wrongParameterCount: UInt32 = 2034
    /// CR_SERVER_LOST_EXTENDED.
    public static let lostConnectionExtended: UInt32 = 2055
    /// CR_STMT_CLOSED: the statement was closed (its connection was closed).
    public static let statementClosed: UInt32 = 2056
    /// CR_NEW_STMT_METADATA: a table changed under a prepared statement; it is prepared
    /// again on next use.
    public static let newStatementMetadata: UInt32 = 2057
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
        let code = reportedCode == 0 ? Self.unknownClientError : reportedCode
        let text = message.map { String(cString: $0) } ?? ""
        self.init(
            code: code,
            sqlState: sqlState.map { String(cString: $0) } ?? "HY000",
            message: Self.redactingValues(in: text.isEmpty ? "unknown error" : text, code: code)
        )
    }
}
