import MariaDB

/// What `sealdrop check-config` reports: the settings in effect (never the
/// password) and whether the database answers at the expected schema version.
public struct ConfigurationCheck {
    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Lines to print, and whether everything is in order.
    public func run() -> (lines: [String], ok: Bool) {
        let db = configuration.database
        var lines = [
            "config file: \(configuration.sourceFile ?? "(none; environment only)")",
            "database: \(db.servers.map(\.description).joined(separator: ", ")), name \(db.name), user \(db.user), password \(db.password.isEmpty ? "empty" : "set")",
            "base URL: \(configuration.baseURL ?? "(derived from each request)")",
            "threads: \(configuration.threads)",
        ]
        lines += configuration.warnings.map { "warning: \($0)" }
        MariaDBLibrary.initialize()
        do {
            let version = try Migrator(configuration: db).currentVersion()
            if version < Migrator.latestVersion {
                lines.append("database reachable, schema version \(version) of \(Migrator.latestVersion): run `sealdrop migrate`")
                return (lines, false)
            }
            lines.append("database reachable, schema version \(version): OK")
            return (lines, true)
        } catch let error as MariaDBError {
            lines.append("database unreachable: \(error.message) (error \(error.code))")
            return (lines, false)
        } catch {
            lines.append("database check failed: \(error)")
            return (lines, false)
        }
    }
}
