import MariaDB
import Testing

@Suite struct TransactionTests {
    private struct Abort: Error {}

    private func makeTable(_ connection: Connection) throws {
        try connection.execute("CREATE TEMPORARY TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
    }

    private func count(_ connection: Connection) throws -> Int64? {
        try connection.query("SELECT COUNT(*) FROM t").first?[0].int64
    }

    @Test func rollbackWhenBodyThrows() throws {
        let connection = try testConnection()
        try makeTable(connection)
        #expect(throws: Abort.self) {
            try connection.transaction {
                try connection.run("INSERT INTO t VALUES (?)", [1])
                #expect(try count(connection) == 1)  // visible inside the transaction
                throw Abort()
            }
        }
        #expect(try count(connection) == 0)
        #expect(!connection.isBroken)
    }

    @Test func commitWhenBodyReturns() throws {
        let connection = try testConnection()
        try makeTable(connection)
        let value = try connection.transaction { () throws -> String in
            try connection.run("INSERT INTO t VALUES (?)", [1])
            try connection.run("INSERT INTO t VALUES (?)", [2])
            return "done"
        }
        #expect(value == "done")
        #expect(try count(connection) == 2)
    }

    @Test func databaseErrorInsideRollsBackEverything() throws {
        let connection = try testConnection()
        try makeTable(connection)
        let error = #expect(throws: MariaDBError.self) {
            try connection.transaction {
                try connection.run("INSERT INTO t VALUES (?)", [1])
                try connection.run("INSERT INTO t VALUES (?)", [1])
            }
        }
        #expect(error?.code == MariaDBError.Code.duplicateEntry)
        #expect(try count(connection) == 0)
    }

    @Test func transactionsDoNotNest() throws {
        let connection = try testConnection()
        try makeTable(connection)
        try connection.transaction {
            try connection.run("INSERT INTO t VALUES (?)", [1])
            let nested = #expect(throws: MariaDBError.self) { try connection.transaction {} }
            #expect(nested?.code == MariaDBError.Code.unknownClientError)
        }
        // The inner call did not commit or roll back the outer transaction's work early.
        #expect(try count(connection) == 1)
        try connection.transaction {}  // and transactions work again afterwards
    }
}
