import MariaDB

/// Brings a database to the latest schema version: a new one, an older
/// SealDrop one, or one made by the original Python server.
public struct Migrator {
    public let configuration: Configuration.Database

    public init(configuration: Configuration.Database) {
        self.configuration = configuration
    }

    public static var schemaScript: String { Migrations.script }
    public static var latestVersion: Int { Migrations.latestVersion }

    public struct Outcome: Sendable {
        /// The schema versions applied.
        public var applied: [Int] = []
        /// Stored procedures the server would not let this user create, with its reason.
        public var routinesRefused: [(name: String, reason: String)] = []
    }

    /// Applies the missing steps and (re)creates the stored procedures.
    public func migrate() throws -> Outcome {
        let (connection, _) = try DatabaseSession.connect(configuration.connectionOptions)
        // Several responders may start at once, through different nodes of a
        // cluster; only one migrates at a time, and it reads the version only once
        // it holds the lock, so it sees every step the one before it applied.
        let lock = try MigrationLock.acquire(on: connection)
        defer { lock.release() }

        try connection.execute(Migrations.versionTable)
        let current = try Self.version(on: connection)
        var outcome = Outcome()
        for step in Migrations.steps where step.version > current {
            try lock.renew()
            for statement in step.statements { try connection.execute(statement) }
            _ = try connection.run("INSERT IGNORE INTO sealdrop_schema (version) VALUES (?)", [.int(Int64(step.version))])
            outcome.applied.append(step.version)
        }
        for routine in Routines.all {
            do {
                try connection.execute(routine.definition)
            } catch let error as MariaDBError where Self.isPrivilegeError(error) {
                outcome.routinesRefused.append((routine.name, error.message))
            }
        }
        return outcome
    }

    /// The server refused to let this user create a routine (no `CREATE ROUTINE`,
    /// or binary logging rules); SealDrop then works without it.
    private static func isPrivilegeError(_ error: MariaDBError) -> Bool {
        switch error.code {
        case .databaseAccessDenied, .tableAccessDenied, .privilegeRequired, .routineAccessDenied,
             .routineNeedsSuperWithBinlog:
            true
        default:
            false
        }
    }

    /// The version the database is at, 0 when it has no SealDrop schema yet.
    public func currentVersion() throws -> Int {
        let (connection, _) = try DatabaseSession.connect(configuration.connectionOptions)
        let exists = try connection.query("""
            SELECT COUNT(*) AS tables FROM information_schema.tables
            WHERE table_schema = DATABASE() AND table_name = 'sealdrop_schema'
            """)
        guard try exists.first?.decode("tables", as: Int64.self) == 1 else { return 0 }
        return try Self.version(on: connection)
    }

    /// The highest version recorded in `sealdrop_schema`, 0 when none is.
    private static func version(on connection: Connection) throws -> Int {
        let rows = try connection.query("SELECT COALESCE(MAX(version), 0) AS version FROM sealdrop_schema")
        guard let row = rows.first else { throw StoreError.failed("sealdrop_schema answered no row") }
        return try row.decode("version")
    }
}
