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

    /// Applies the missing steps; returns the versions applied.
    public func migrate() throws -> [Int] {
        let connection = try Connection(ConnectionOptions(configuration))
        // Several responders may start at once; only one migrates at a time.
        let lock = try connection.query("SELECT GET_LOCK('sealdrop_migrate', 60)")
        guard lock.first?[0].int64 == 1 else {
            throw StoreError.failed("another migration holds the lock")
        }
        defer { _ = try? connection.query("SELECT RELEASE_LOCK('sealdrop_migrate')") }

        try connection.execute(Migrations.versionTable)
        let current = try connection.query("SELECT COALESCE(MAX(version), 0) FROM sealdrop_schema").first?[0].int64 ?? 0
        var applied: [Int] = []
        for step in Migrations.steps where step.version > current {
            for statement in step.statements { try connection.execute(statement) }
            _ = try connection.run("INSERT IGNORE INTO sealdrop_schema (version) VALUES (?)", [.int(Int64(step.version))])
            applied.append(step.version)
        }
        return applied
    }

    /// The version the database is at, 0 when it has no SealDrop schema yet.
    public func currentVersion() throws -> Int {
        let connection = try Connection(ConnectionOptions(configuration))
        let exists = try connection.query(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'sealdrop_schema'")
        guard exists.first?[0].int64 == 1 else { return 0 }
        return Int(try connection.query("SELECT COALESCE(MAX(version), 0) FROM sealdrop_schema").first?[0].int64 ?? 0)
    }
}
