import Foundation
import MariaDB
import Testing
import TestSupport

extension ClusterTests {
    @Suite("Migrating through several nodes")
    struct Migrate {
        /// `GET_LOCK` is local to a node, so three hosts migrating through three nodes
        /// each took it and each applied every step; the lock row serialises them.
        @Test("sealdrop migrate on three hosts at once, each through another node: the steps applied once, by one")
        func threeHostsAtOnce() throws {
            let cluster = try Cluster()
            let database = "sealdrop_migrate_\(UInt32.random(in: 0...UInt32.max))"
            try cluster.connection(node: 0).execute("CREATE DATABASE `\(database)`")
            defer { _ = try? cluster.connection(node: 0).execute("DROP DATABASE `\(database)`") }

            let binary = try TestEnvironment.binary()
            let migrations = try (0..<3).map { node in
                try ChildProcess(binary, ["migrate"], environment: [
                    "SEALDROP_CONFIG": "/dev/null", "DB_HOSTS": cluster.environment.nodeSockets[node],
                    "DB_USER": cluster.environment.user, "DB_PASSWORD": cluster.environment.password, "DB_NAME": database,
                ])
            }
            let results = try migrations.map { try $0.wait() }
            for (node, result) in results.enumerated() {
                #expect(result.status == 0, "migrate through node \(node + 1): \(result.output)")
            }
            let latest = try #require(try cluster.connection(node: 0, database: database)
                .query("SELECT MAX(version) FROM sealdrop_schema").first?[0].int64)
            let everyStep = "applied schema versions " + (1...latest).map(String.init).joined(separator: ", ")
            let outputs = results.map { $0.output.trimmingCharacters(in: .whitespacesAndNewlines) }
            #expect(outputs.filter { $0.hasPrefix(everyStep) }.count == 1, "\(outputs)")
            #expect(outputs.filter { $0.hasPrefix("schema is up to date") }.count == 2, "\(outputs)")

            for node in 0..<3 {
                let connection = try cluster.connection(node: node, database: database)
                let versions = try connection.query("SELECT version FROM sealdrop_schema ORDER BY version").compactMap { $0[0].int64 }
                #expect(versions == Array(1...latest), "node \(node + 1): \(versions)")
                #expect(try connection.query("SELECT COUNT(*) FROM sealdrop_migration_lock").first?[0].int64 == 0,
                        "node \(node + 1): the lock was left behind")
            }
        }
    }
}
