/// Where and how a ``Connection`` reaches the server.
///
/// The description and reflection never show the password, so options can be logged.
public struct ConnectionOptions: Sendable {
    /// Host name or IP address, reached over TCP (also "localhost": unlike the `mariadb`
    /// client, it does not mean the default socket). Ignored when ``unixSocket`` is set.
    public var host: String
    /// TCP port; ignored when ``unixSocket`` is set.
    public var port: UInt32
    /// Path of the server's unix socket. When set, it is used instead of host and port.
    public var unixSocket: String?
    public var user: String
    public var password: String
    /// Default database of the session.
    public var database: String
    /// Seconds to wait for the connection to be made (`MYSQL_OPT_CONNECT_TIMEOUT`).
    public var connectTimeout: UInt32
    /// Seconds to wait for each read from the server (`MYSQL_OPT_READ_TIMEOUT`); a
    /// statement that takes longer fails with ``MariaDBError/Code/lostConnection``.
    public var readTimeout: UInt32
    /// Seconds to wait for each write to the server (`MYSQL_OPT_WRITE_TIMEOUT`).
    public var writeTimeout: UInt32
    /// Lets ``Connection/execute(_:)`` run several `;`-separated statements in one call
    /// (`CLIENT_MULTI_STATEMENTS`), e.g. a schema file. Off by default; prepared
    /// statements are never affected.
    public var allowMultipleStatements: Bool

    public init(
        host: String = "localhost",
        port: UInt32 = 3306,
        unixSocket: String? = nil,
        user: String,
        password: String,
        database: String,
        connectTimeout: UInt32 = 5,
        readTimeout: UInt32 = 30,
        writeTimeout: UInt32 = 30,
        allowMultipleStatements: Bool = false
    ) {
        self.host = host
        self.port = port
        self.unixSocket = unixSocket
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.allowMultipleStatements = allowMultipleStatements
    }
}

extension ConnectionOptions: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `user@host:port/database` or `user@unix:/path/database`, without the password.
    public var description: String {
        let server = unixSocket.map { "unix:\($0)" } ?? "\(host):\(port)"
        return "\(user)@\(server)/\(database)"
    }

    public var debugDescription: String { "ConnectionOptions(\(description))" }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "unixSocket": unixSocket as Any, "user": user,
                "database": database, "connectTimeout": connectTimeout, "readTimeout": readTimeout,
                "writeTimeout": writeTimeout, "allowMultipleStatements": allowMultipleStatements,
            ],
            displayStyle: .struct
        )
    }
}
