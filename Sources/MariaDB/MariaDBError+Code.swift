extension MariaDBError {
    /// A server error number (1000–1999, 3000–4999) or a client one (2000–2999, 5000+),
    /// with a name for each number SealDrop reacts to, so no bare number stands in
    /// code that handles an error (after GRDB's `ResultCode`).
    ///
    /// Match codes by name in a `switch` or a `catch`:
    ///
    /// ```swift
    /// switch error.code {
    /// case .deadlock, .lockWaitTimeout: // run the transaction again
    /// default: throw error
    /// }
    ///
    /// do { … } catch MariaDBError.Code.duplicateEntry { … }
    /// ```
    ///
    /// A number not named here is still kept and printed; name it here before
    /// code reacts to it.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt32

        public init(rawValue: UInt32) {
            self.rawValue = rawValue
        }

        public var description: String { String(rawValue) }

        /// Whether `error` is a ``MariaDBError`` with this code: what lets a
        /// `catch MariaDBError.Code.duplicateEntry` clause match.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? MariaDBError)?.code == code
        }
    }
}

// MARK: - Named codes

extension MariaDBError.Code {
    // MARK: Server errors

    /// ER_DBACCESS_DENIED_ERROR: the user may not use that database (or do that in it).
    public static let databaseAccessDenied = Self(rawValue: 1044)
    /// ER_ACCESS_DENIED_ERROR: wrong user or password.
    public static let accessDenied = Self(rawValue: 1045)
    /// ER_UNKNOWN_COM_ERROR, which a Galera node answers to every statement while it is
    /// not in the primary component ("WSREP has not yet prepared node for application use").
    public static let wsrepNotReady = Self(rawValue: 1047)
    /// ER_BAD_DB_ERROR: unknown database.
    public static let unknownDatabase = Self(rawValue: 1049)
    /// ER_SERVER_SHUTDOWN: the server is shutting down.
    public static let serverShutdown = Self(rawValue: 1053)
    /// ER_DUP_ENTRY: duplicate value for a primary or unique key.
    public static let duplicateEntry = Self(rawValue: 1062)
    /// ER_NORMAL_SHUTDOWN.
    public static let normalShutdown = Self(rawValue: 1077)
    /// ER_TABLEACCESS_DENIED_ERROR: a command the user may not run on a table.
    public static let tableAccessDenied = Self(rawValue: 1142)
    /// ER_NO_SUCH_TABLE.
    public static let noSuchTable = Self(rawValue: 1146)
    /// ER_ABORTING_CONNECTION.
    public static let abortingConnection = Self(rawValue: 1152)
    /// ER_NET_PACKET_TOO_LARGE: a packet exceeded `max_allowed_packet`; the server closes the connection.
    public static let packetTooLarge = Self(rawValue: 1153)
    /// ER_NET_READ_ERROR_FROM_PIPE.
    public static let netReadErrorFromPipe = Self(rawValue: 1154)
    /// ER_NET_FCNTL_ERROR.
    public static let netFcntlError = Self(rawValue: 1155)
    /// ER_NET_PACKETS_OUT_OF_ORDER.
    public static let netPacketsOutOfOrder = Self(rawValue: 1156)
    /// ER_NET_UNCOMPRESS_ERROR.
    public static let netUncompressError = Self(rawValue: 1157)
    /// ER_NET_READ_ERROR.
    public static let netReadError = Self(rawValue: 1158)
    /// ER_NET_READ_INTERRUPTED.
    public static let netReadInterrupted = Self(rawValue: 1159)
    /// ER_NET_ERROR_ON_WRITE.
    public static let netWriteError = Self(rawValue: 1160)
    /// ER_NET_WRITE_INTERRUPTED.
    public static let netWriteInterrupted = Self(rawValue: 1161)
    /// ER_NEW_ABORTING_CONNECTION.
    public static let newAbortingConnection = Self(rawValue: 1184)
    /// ER_LOCK_WAIT_TIMEOUT: the statement waited too long for a row lock.
    public static let lockWaitTimeout = Self(rawValue: 1205)
    /// ER_LOCK_DEADLOCK: the transaction was chosen as a deadlock victim and rolled
    /// back (on a Galera node also: it lost certification).
    public static let deadlock = Self(rawValue: 1213)
    /// ER_SPECIFIC_ACCESS_DENIED_ERROR: the command needs a privilege such as SUPER.
    public static let privilegeRequired = Self(rawValue: 1227)
    /// ER_TRUNCATED_WRONG_VALUE: `Truncated incorrect %s value: '%s'`.
    public static let truncatedWrongValue = Self(rawValue: 1292)
    /// ER_INVALID_CHARACTER_STRING: `Invalid %s character string: '%s'`.
    public static let invalidCharacterString = Self(rawValue: 1300)
    /// ER_SP_DOES_NOT_EXIST: no such stored procedure or function.
    public static let routineDoesNotExist = Self(rawValue: 1305)
    /// ER_QUERY_INTERRUPTED: `KILL QUERY` or `max_statement_time`; the connection stays usable.
    public static let queryInterrupted = Self(rawValue: 1317)
    /// ER_SP_WRONG_NO_OF_ARGS: a routine called with another number of arguments than it takes.
    public static let routineArgumentCount = Self(rawValue: 1318)
    /// ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: `Incorrect %s value: '%s' for column …`.
    public static let wrongValueForColumn = Self(rawValue: 1366)
    /// ER_ILLEGAL_VALUE_FOR_TYPE: `Illegal %s '%s' value found during parsing`.
    public static let illegalValueForType = Self(rawValue: 1367)
    /// ER_PROCACCESS_DENIED_ERROR: no EXECUTE (or ALTER ROUTINE) privilege on a routine.
    public static let routineAccessDenied = Self(rawValue: 1370)
    /// ER_WRONG_VALUE_FOR_TYPE: `Incorrect %s value: '%s' for function %s`.
    public static let wrongValueForFunction = Self(rawValue: 1411)
    /// ER_BINLOG_CREATE_ROUTINE_NEED_SUPER: binary logging forbids this user to create routines.
    public static let routineNeedsSuperWithBinlog = Self(rawValue: 1419)
    /// ER_AUTOINC_READ_FAILED: the auto-increment value could not be read; under load a
    /// concurrent `INSERT … SELECT` can meet it, and nothing took effect.
    public static let autoIncrementReadFailed = Self(rawValue: 1467)
    /// ER_WRONG_VALUE: `Incorrect %s value: '%s'`.
    public static let wrongValue = Self(rawValue: 1525)
    /// ER_DUP_ENTRY_WITH_KEY_NAME.
    public static let duplicateEntryWithKeyName = Self(rawValue: 1586)
    /// ER_CONNECTION_KILLED: the session was killed (`KILL CONNECTION`).
    public static let connectionKilled = Self(rawValue: 1927)
    /// ER_CLIENT_INTERACTION_TIMEOUT: the server closed an idle connection.
    public static let clientInteractionTimeout = Self(rawValue: 4031)

    // MARK: Client errors (Connector/C)

    /// CR_UNKNOWN_ERROR: also used for misuse of this module (e.g. nested transactions).
    public static let unknownClientError = Self(rawValue: 2000)
    /// CR_SOCKET_CREATE_ERROR.
    public static let socketCreateError = Self(rawValue: 2001)
    /// CR_CONNECTION_ERROR: cannot connect through the unix socket.
    public static let cantConnect = Self(rawValue: 2002)
    /// CR_CONN_HOST_ERROR: cannot connect to the TCP host.
    public static let cantConnectToHost = Self(rawValue: 2003)
    /// CR_IPSOCK_ERROR: cannot create a TCP socket.
    public static let ipSocketError = Self(rawValue: 2004)
    /// CR_UNKNOWN_HOST.
    public static let unknownHost = Self(rawValue: 2005)
    /// CR_SERVER_GONE_ERROR: the server was gone before the command was sent. Also used
    /// by this module for any call on a connection already marked broken.
    public static let serverGone = Self(rawValue: 2006)
    /// CR_OUT_OF_MEMORY.
    public static let outOfMemory = Self(rawValue: 2008)
    /// CR_SERVER_HANDSHAKE_ERR.
    public static let handshakeError = Self(rawValue: 2012)
    /// CR_SERVER_LOST: the connection was lost during a command; it may have taken effect.
    public static let lostConnection = Self(rawValue: 2013)
    /// CR_COMMANDS_OUT_OF_SYNC: protocol state is unknown; the connection is discarded.
    public static let commandsOutOfSync = Self(rawValue: 2014)
    /// CR_SSL_CONNECTION_ERROR.
    public static let tlsConnectionError = Self(rawValue: 2026)
    /// CR_MALFORMED_PACKET.
    public static let malformedPacket = Self(rawValue: 2027)
    /// CR_INVALID_PARAMETER_NO: the number of values does not match the placeholders.
    public static let wrongParameterCount = Self(rawValue: 2034)
    /// CR_SERVER_LOST_EXTENDED.
    public static let lostConnectionExtended = Self(rawValue: 2055)
    /// CR_STMT_CLOSED: the statement was closed (its connection was closed).
    public static let statementClosed = Self(rawValue: 2056)
    /// CR_NEW_STMT_METADATA: a table changed under a prepared statement; it is prepared
    /// again on next use.
    public static let newStatementMetadata = Self(rawValue: 2057)
    /// CR_ERR_NET_READ.
    public static let netRead = Self(rawValue: 5013)
    /// CR_ERR_NET_WRITE.
    public static let netWrite = Self(rawValue: 5014)
}
