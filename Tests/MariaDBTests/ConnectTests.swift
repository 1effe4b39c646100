import MariaDB
import Testing

@Suite struct ConnectTests {
    @Test func wrongPasswordIsAccessDenied() throws {
        var options = try testOptions()
        options.password += "-wrong"
        let error = #expect(throws: MariaDBError.self) { try Connection(options) }
        #expect(error?.code == MariaDBError.Code.accessDenied)
        #expect(error?.sqlState == "28000")
        #expect(error?.isConnectionLost == false)
        #expect(error.map { !$0.description.contains(options.password) } == true)
    }

    @Test func missingSocketIsCantConnect() throws {
        var options = try testOptions()
        options.unixSocket = "/nonexistent/sealdrop-test/mysqld.sock"
        let error = #expect(throws: MariaDBError.self) { try Connection(options) }
        #expect(error?.code == MariaDBError.Code.cantConnect)
        #expect(error?.isConnectionLost == true)
    }

    @Test func unknownDatabaseIsReported() throws {
        var options = try testOptions()
        options.database = "sealdrop_no_such_database"
        let error = #expect(throws: MariaDBError.self) { try Connection(options) }
        // Access to a database the user has no grant on is denied before it is looked up.
        #expect(error?.code == MariaDBError.Code.unknownDatabase || error?.code == .databaseAccessDenied)
    }

    @Test func sessionIsUTCAndUTF8MB4() throws {
        let connection = try testConnection()
        let row = try single(
            connection.query(
                "SELECT @@session.time_zone, @@character_set_client, @@character_set_results, @@character_set_connection"
            )
        )
        #expect(row[0] == "+00:00")
        #expect(row[1] == "utf8mb4")
        #expect(row[2] == "utf8mb4")
        #expect(row[3] == "utf8mb4")
        let clock = try single(connection.query("SELECT UNIX_TIMESTAMP(NOW()) - UNIX_TIMESTAMP(UTC_TIMESTAMP())"))
        #expect(clock[0].int64 == 0)
    }

    @Test func pingAnswers() throws {
        let connection = try testConnection()
        #expect(connection.ping())
        #expect(!connection.isBroken)
        #expect(connection.serverConnectionID > 0)
        let id = try single(connection.query("SELECT CONNECTION_ID()"))
        #expect(id[0].uint64 == connection.serverConnectionID)
    }

    @Test func optionsNeverShowThePassword() throws {
        let options = ConnectionOptions(unixSocket: "/run/db.sock", user: "u", password: "hunter2-secret", database: "d")
        #expect(options.description == "u@unix:/run/db.sock/d")
        #expect(!String(reflecting: options).contains("hunter2"))
        var dumped = ""
        dump(options, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }

    @Test func multipleStatementsOnlyWhenAllowed() throws {
        let plain = try testConnection()
        let refused = #expect(throws: MariaDBError.self) { try plain.execute("SELECT 1; SELECT 2") }
        #expect(refused?.code.rawValue == 1064)  // ER_PARSE_ERROR
        #expect(try plain.query("SELECT 3").first?[0] == 3)

        var options = try testOptions()
        options.allowMultipleStatements = true
        let multi = try Connection(options)
        try multi.execute("CREATE TEMPORARY TABLE t (id INT); INSERT INTO t VALUES (1), (2); SELECT * FROM t; SELECT 1")
        // Every result set was read: the connection is in sync.
        #expect(try multi.query("SELECT COUNT(*) FROM t").first?[0] == 2)
    }
}
