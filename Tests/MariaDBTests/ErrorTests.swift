import MariaDB
import Testing

@Suite struct ErrorTests {
    @Test func duplicateKeyIsTypedRedactedAndHarmless() throws {
        let connection = try testConnection()
        try connection.execute(
            """
            CREATE TEMPORARY TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, token VARCHAR(64) NOT NULL,
                                      UNIQUE KEY uq_token (token)) ENGINE=InnoDB
            """
        )
        let insert = "INSERT INTO t (token) VALUES (?)"
        let secret = "secret-token-'quoted'-Zq81"
        try connection.run(insert, [.text(secret)])
        let error = #expect(throws: MariaDBError.self) { try connection.run(insert, [.text(secret)]) }
        #expect(error?.code == MariaDBError.Code.duplicateEntry)
        #expect(error?.sqlState == "23000")
        #expect(error?.isDuplicateEntry == true)
        #expect(error?.isConnectionLost == false)
        #expect(error?.duplicateKeyName == "uq_token")
        #expect(error.map { !String(describing: $0).contains("Zq81") } == true)
        #expect(error?.message == "Duplicate entry '…' for key 'uq_token'")

        // The connection and the very same cached statement keep working.
        #expect(!connection.isBroken)
        let again = try connection.run(insert, [.text("another")])
        #expect(again.affectedRows == 1)
        #expect(connection.cachedStatementCount == 1)
        #expect(try connection.query("SELECT COUNT(*) FROM t").first?[0] == 2)
    }

    @Test func errorWhileRowsAreReadLeavesConnectionInSync() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (id INT)")
        try connection.execute("INSERT INTO t VALUES (1), (2), (3)")
        // The scalar subquery returns more than one row only when ? > 1: the error comes
        // from executing the query, after the statement was fine for other values.
        let sql = "SELECT id, (SELECT id FROM t WHERE id <= ?) FROM t ORDER BY id"
        #expect(try connection.query(sql, [1]).count == 3)
        let error = #expect(throws: MariaDBError.self) { try connection.query(sql, [2]) }
        #expect(error?.code.rawValue == 1242)  // ER_SUBQUERY_NO_1_ROW
        #expect(!connection.isBroken)
        #expect(try connection.query(sql, [1]).count == 3)
        #expect(try connection.query("SELECT 1").first?[0] == 1)
        // The same through the text protocol.
        let text = #expect(throws: MariaDBError.self) {
            try connection.execute("SELECT id, (SELECT id FROM t) FROM t")
        }
        #expect(text?.code.rawValue == 1242)
        #expect(try connection.query("SELECT 2").first?[0] == 2)
        #expect(!connection.isBroken)
    }

    @Test func syntaxErrorDoesNotCacheOrBreak() throws {
        let connection = try testConnection()
        let error = #expect(throws: MariaDBError.self) { try connection.statement("SELEC 1") }
        #expect(error?.code.rawValue == 1064)  // ER_PARSE_ERROR
        #expect(connection.cachedStatementCount == 0)
        #expect(!connection.isBroken)
        #expect(connection.ping())
    }

    @Test func executeReadsAndDiscardsRows() throws {
        let connection = try testConnection()
        // Unread rows would put the next command out of sync (CR_COMMANDS_OUT_OF_SYNC).
        let result = try connection.run("SELECT 1 UNION ALL SELECT 2")
        #expect(result.affectedRows == 2)
        try connection.execute("SELECT 1 UNION ALL SELECT 2")
        #expect(try connection.query("SELECT 5").first?[0] == 5)
    }

    @Test func incorrectValueMessageLosesTheValue() throws {
        let connection = try testConnection()
        try connection.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
        try connection.execute("CREATE TEMPORARY TABLE t (n INT)")
        let error = #expect(throws: MariaDBError.self) {
            try connection.run("INSERT INTO t VALUES (?)", ["secret'value-Zq81"])
        }
        #expect(error?.code == MariaDBError.Code.wrongValueForColumn)
        #expect(error.map { !$0.description.contains("Zq81") } == true)
        #expect(error?.message.hasPrefix("Incorrect integer value: '…' for column ") == true)
        #expect(!connection.isBroken)
    }

    // The numbers as the server and Connector/C send them, not the names: a test
    // that the names stand for the right numbers.
    @Test func connectionLostClassification() {
        for code: UInt32 in [2002, 2003, 2006, 2013, 2055, 1053, 1927, 4031, 2014, 1158, 5013] {
            #expect(MariaDBError(code: .init(rawValue: code), message: "").isConnectionLost, "\(code)")
        }
        for code: UInt32 in [1062, 1213, 1205, 1045, 1064, 1317, 2034] {
            #expect(!MariaDBError(code: .init(rawValue: code), message: "").isConnectionLost, "\(code)")
        }
        #expect(MariaDBError(code: .init(rawValue: 1213), message: "").isTransactionRetryable)
        #expect(MariaDBError.Code.deadlock.rawValue == 1213 && MariaDBError.Code.duplicateEntry.rawValue == 1062)
        // A Galera node outside the primary component: refused, not lost.
        let notReady = MariaDBError(code: .init(rawValue: 1047), message: "WSREP has not yet prepared node for application use")
        #expect(notReady.isNodeNotReady && !notReady.isConnectionLost && !notReady.isTransactionRetryable)
    }

    @Test func codesMatchByNameInCatchAndSwitch() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (id INT PRIMARY KEY)")
        try connection.run("INSERT INTO t VALUES (1)")
        var caught = false
        do {
            try connection.run("INSERT INTO t VALUES (1)")
        } catch MariaDBError.Code.deadlock {
            Issue.record("a duplicate entry matched another code")
        } catch MariaDBError.Code.duplicateEntry {
            caught = true
        }
        #expect(caught)
        #expect(!(MariaDBError.Code.duplicateEntry ~= CancellationError()))
        let error = MariaDBError(code: .lockWaitTimeout, message: "")
        switch error.code {
        case .deadlock, .lockWaitTimeout: break
        default: Issue.record("lock wait timeout did not match by name")
        }
    }
}
