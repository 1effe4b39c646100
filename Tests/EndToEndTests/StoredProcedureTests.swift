import Foundation
import MariaDB
import Testing
import TestSupport

/// Issue 6: `sealdrop_send` makes a send one round trip. It is set up by
/// `sealdrop migrate` and by `schema.sql`, and it is optional: a host that
/// forbids `CREATE ROUTINE` still migrates, and sends then take separate
/// statements (MailboxCounterTests runs both ways).
@Suite("Stored procedures", .serialized)
struct StoredProcedureTests {
    @Test("schema.sql, applied with the mariadb client, makes exactly what sealdrop migrate makes")
    func schemaFileMatchesMigratedDatabase() throws {
        try withScratchDatabase("schemafile") { settings, migrated, scratch in

            let schemaFile = try TestEnvironment.repository() + "/schema.sql"
            let applied = try runCommand("/bin/sh", ["-c", "mariadb --socket=\"$1\" --user=\"$2\" \"$3\" < \"$4\"", "sh",
                                                     settings.socket, settings.user, scratch, schemaFile],
                                         environment: ["MYSQL_PWD": settings.password])
            #expect(applied.status == 0, "mariadb < schema.sql: \(applied.output)")

            let fromFile = try Connection(ConnectionOptions(unixSocket: settings.socket, user: settings.user,
                                                            password: settings.password, database: scratch))
            var tables = try definitions(of: migrated)
            // The row migrations take turns on is migrate's own, not part of the schema.
            #expect(tables.removeValue(forKey: "sealdrop_migration_lock") != nil, "migrate made its lock table")
            #expect(!tables.isEmpty)
            #expect(try definitions(of: fromFile) == tables)
            #expect(try procedure("sealdrop_send", in: fromFile) == procedure("sealdrop_send", in: migrated))
            #expect(try procedure("sealdrop_send", in: fromFile) != nil)
        }
    }

    @Test("a database user who may not create procedures still migrates, and is told what that costs")
    func migrateWithoutRoutinePrivileges() throws {
        try PrivateStack.with(name: "e2e-noroutine") { stack in
            let name = try #require(stack.values["SEALDROP_TEST_DB_NAME"])
            // Every privilege of a shared host's database user except the routine ones.
            let root = try runCommand("/usr/bin/mariadb", ["--defaults-file=\(stack.runDirectory)/my.cnf", "--batch", "-e", """
                CREATE USER limited@localhost IDENTIFIED BY 'limited-password';
                GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES,
                      CREATE TEMPORARY TABLES, EXECUTE ON `\(name)`.* TO limited@localhost;
                DROP PROCEDURE `\(name)`.sealdrop_send;
                """])
            #expect(root.status == 0, "setting up the limited user: \(root.output)")
            let config = stack.runDirectory + "/limited.env"
            let original = try String(contentsOfFile: stack.runDirectory + "/sealdrop.env", encoding: .utf8)
            let limited = original.split(separator: "\n").map { line -> String in
                if line.hasPrefix("DB_USER=") { return "DB_USER=limited" }
                if line.hasPrefix("DB_PASSWORD=") { return "DB_PASSWORD=limited-password" }
                return String(line)
            }.joined(separator: "\n") + "\n"
            try limited.write(toFile: config, atomically: true, encoding: .utf8)

            let migrate = try runCommand(try TestEnvironment.binary(), ["migrate", "--config", config])
            #expect(migrate.status == 0, "sealdrop migrate: \(migrate.output)")
            #expect(migrate.output.contains("refused to create the stored procedure sealdrop_send"), "\(migrate.output)")
            #expect(migrate.output.contains("Grant CREATE ROUTINE"))
            let connection = try databaseConnection(stack)
            #expect(try procedure("sealdrop_send", in: connection) == nil)
        }
    }

    @Test("a send whose procedure answers another column than the store reads is a logged 500, never a refusal")
    func driftedAnswerFailsLoudly() throws {
        try PrivateStack.with(name: "e2e-drift") { stack in
            let name = try #require(stack.values["SEALDROP_TEST_DB_NAME"])
            // The arguments the store passes, and an answer under another name than `v_id`:
            // read by position with a default, this was an id of 0, and so a 429.
            let root = try runCommand("/usr/bin/mariadb", ["--defaults-file=\(stack.runDirectory)/my.cnf", "--batch", "-e", """
                CREATE OR REPLACE PROCEDURE `\(name)`.sealdrop_send(
                    p_link VARCHAR(128), p_message LONGTEXT, p_metadata LONGTEXT, p_size INT UNSIGNED,
                    p_max_messages INT UNSIGNED, p_max_bytes BIGINT UNSIGNED, p_sends_limit INT UNSIGNED,
                    p_sends_rate DOUBLE)
                SELECT 0 AS message_id;
                """])
            #expect(root.status == 0, "replacing sealdrop_send: \(root.output)")
            let api = try stack.client()
            let recipient = try Recipient(client: api)
            let response = try api.send(linkToken: recipient.linkToken,
                                        ciphertext: api.seal("drifted", forLink: recipient.linkToken))
            #expect(response.status == 500)
            #expect(response.errorMessage == "Internal server error")
            let id = try #require(response.header("X-Request-ID"))
            let log = try String(contentsOfFile: stack.runDirectory + "/sealdrop.log", encoding: .utf8)
            #expect(log.contains("\(id) error: no column 'v_id' in the result (it has message_id)"), "\(log.suffix(2000))")
        }
    }

    /// Every table's `SHOW CREATE TABLE`, without the auto-increment counters.
    private func definitions(of connection: Connection) throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try connection.query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()") {
            let table = try #require(row[0].string)
            let create = try #require(try connection.query("SHOW CREATE TABLE `\(table)`").first?[1].string)
            result[table] = create.replacingOccurrences(of: #" AUTO_INCREMENT=\d+"#, with: "", options: .regularExpression)
        }
        return result
    }

    private func procedure(_ name: String, in connection: Connection) throws -> String? {
        try connection.query("""
            SELECT routine_definition FROM information_schema.routines
            WHERE routine_schema = DATABASE() AND routine_name = ?
            """, [.text(name)]).first?[0].string
    }
}
