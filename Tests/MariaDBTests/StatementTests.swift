import MariaDB
import Testing

@Suite struct StatementTests {
    @Test func statementCacheReturnsTheSameStatement() throws {
        let connection = try testConnection()
        let sql = "SELECT ? + 1"
        let first = try connection.statement(sql)
        let second = try connection.statement(sql)
        #expect(first === second)
        #expect(first.parameterCount == 1)
        #expect(first.sql == sql)
        _ = try connection.query(sql, [1])
        _ = try connection.query("SELECT 2")
        #expect(connection.cachedStatementCount == 2)
        #expect(try first.query([41]).first?[0] == 42)
    }

    @Test func lastInsertIDAndAffectedRows() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB")
        let first = try connection.run("INSERT INTO t (v) VALUES (?)", [10])
        #expect(first == ExecutionResult(affectedRows: 1, lastInsertID: 1))
        let second = try connection.run("INSERT INTO t (v) VALUES (?)", [20])
        #expect(second == ExecutionResult(affectedRows: 1, lastInsertID: 2))
        let batch = try connection.run("INSERT INTO t (v) VALUES (?), (?), (?)", [30, 30, 30])
        #expect(batch.affectedRows == 3)
        #expect(batch.lastInsertID == 3)  // the first id of a multi-row insert

        let update = try connection.run("UPDATE t SET v = ? WHERE v >= ?", [99, 20])
        #expect(update.affectedRows == 4)
        #expect(update.lastInsertID == 0)
        // Only rows actually changed are counted.
        #expect(try connection.run("UPDATE t SET v = ? WHERE v >= ?", [99, 20]).affectedRows == 0)
        #expect(try connection.run("DELETE FROM t WHERE id > ?", [3]).affectedRows == 2)
        #expect(try connection.run("DELETE FROM t WHERE id > ?", [3]).affectedRows == 0)
    }

    @Test func queryWithoutRowsAndEmptyResults() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (id INT)")
        #expect(try connection.query("SELECT id FROM t WHERE id = ?", [1]).isEmpty)
        #expect(try connection.query("INSERT INTO t VALUES (?)", [1]).isEmpty)
        let row = try single(connection.query("SELECT id AS renamed FROM t"))
        #expect(row.columnNames == ["renamed"])
        #expect(row["renamed"] == 1)
    }

    @Test func manyExecutionsReuseOneStatement() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (id INT PRIMARY KEY, name VARCHAR(40))")
        let insert = try connection.statement("INSERT INTO t VALUES (?, ?)")
        for id in 0..<500 {
            try insert.execute([.int(Int64(id)), .text("name-\(id)")])
        }
        let select = try connection.statement("SELECT id, name FROM t WHERE id % ? = 0 ORDER BY id")
        for divisor in [1, 7, 250] {
            let rows = try select.query([.int(Int64(divisor))])
            #expect(rows.count == (499 / divisor) + 1)
            #expect(rows.allSatisfy { $0["name"].string == "name-\($0["id"].int64 ?? -1)" })
        }
        #expect(connection.cachedStatementCount == 2)
    }

    @Test func statementOutlivingItsConnectionThrows() throws {
        var connection: Connection? = try testConnection()
        let statement = try #require(try connection?.statement("SELECT 1"))
        connection = nil
        let error = #expect(throws: MariaDBError.self) { try statement.query() }
        #expect(error?.code == MariaDBError.Code.statementClosed)
    }

    @Test func tableChangedUnderPreparedStatement() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (a INT)")
        try connection.execute("INSERT INTO t VALUES (1)")
        #expect(try connection.query("SELECT * FROM t").first?.count == 1)
        try connection.execute("ALTER TABLE t ADD COLUMN b INT DEFAULT 2")
        // The server may re-prepare transparently or report new metadata once; either
        // way the statement works afterwards and the connection stays usable.
        let rows: [Row]
        do {
            rows = try connection.query("SELECT * FROM t")
        } catch let error as MariaDBError where error.code == MariaDBError.Code.newStatementMetadata {
            rows = try connection.query("SELECT * FROM t")
        }
        #expect(rows.first?.values == [1, 2])
        #expect(!connection.isBroken)
    }
}
