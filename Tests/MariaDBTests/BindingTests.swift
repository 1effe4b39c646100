import Foundation
import MariaDB
import Testing

/// What the bound thread found; written before `done` is signalled, read after.
private final class Outcome: @unchecked Sendable {
    var result: Result<Int64, any Error>?
    var columns = 0
    let done = DispatchSemaphore(value: 0)
}

@Suite struct BindingTests {
    /// Binding once took a stack frame per text parameter; 32,768 of them (a
    /// fold of rate counters is 8,192 rows of four) overflowed a worker thread's stack.
    @Test func thirtyTwoThousandTextParametersBindOnASmallStack() throws {
        let count = 32_768
        let values = (0..<count).map { Value.text(String(repeating: "x", count: $0 % 7)) }
        let sql = "SELECT " + Array(repeating: "CHAR_LENGTH(?)", count: 256).joined(separator: " + ")
        let outcome = Outcome()
        // 512 KiB, as a worker thread has, rather than the test runner's main stack.
        let thread = Thread {
            outcome.result = Result {
                let connection = try testConnection()
                var sum: Int64 = 0
                let statement = try connection.statement(sql)
                for start in stride(from: 0, to: count, by: 256) {
                    sum += try single(statement.query(Array(values[start..<start + 256])))[0].int64 ?? -1
                }
                let wide = try connection.statement("SELECT " + Array(repeating: "?", count: count).joined(separator: ", "))
                outcome.columns = try single(wide.query(values)).values.count
                return sum
            }
            outcome.done.signal()
        }
        thread.stackSize = 512 << 10
        thread.start()
        outcome.done.wait()
        #expect(outcome.columns == count)
        let sum = try #require(outcome.result).get()
        #expect(sum == values.reduce(0) { partial, value in partial + Int64(value.string?.count ?? 0) })
    }

    @Test func nullsBindAndReadBack() throws {
        let connection = try testConnection()
        try connection.execute(
            """
            CREATE TEMPORARY TABLE t (i INT, u BIGINT UNSIGNED, d DOUBLE, s VARCHAR(20), b VARBINARY(20),
                                      ts TIMESTAMP NULL, dec_ DECIMAL(10,2))
            """
        )
        try connection.run("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", [nil, nil, nil, nil, nil, nil, nil])
        let row = try single(connection.query("SELECT * FROM t"))
        #expect(row.values == Array(repeating: Value.null, count: 7))
        #expect(row.values.allSatisfy { $0.isNull })

        let check = try single(connection.query("SELECT ? IS NULL, ? IS NULL", [.null, .text("")]))
        #expect(check[0].bool == true)
        #expect(check[1].bool == false)
        // NULL next to non-NULL values in the same row and statement.
        try connection.run("INSERT INTO t (i, s) VALUES (?, ?)", [7, nil])
        try connection.run("INSERT INTO t (i, s) VALUES (?, ?)", [nil, "x"])
        let mixed = try connection.query("SELECT i, s FROM t WHERE i IS NOT NULL OR s IS NOT NULL ORDER BY i")
        #expect(mixed.map(\.values) == [[.null, "x"], [7, .null]])
    }

    @Test(arguments: [
        "😀", "Grüße, façade, naïve, ÅØÆ", "日本語のテキスト", "𝄞 𝕏 𠜎", "e\u{301} vs é",
        "👩‍👩‍👧‍👦🇨🇭", "", "a\u{0}b", "quote ' and \" and \\ backslash", String(repeating: "€", count: 300),
    ])
    func utf8RoundTrip(text: String) throws {
        let connection = try testConnection()
        try connection.execute(
            "CREATE TEMPORARY TABLE t (s VARCHAR(1000), l LONGTEXT, j JSON) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
        )
        let json = "{\"v\": \"\(text.replacingJSONSpecials())\"}"
        try connection.run("INSERT INTO t VALUES (?, ?, ?)", [.text(text), .text(text), .text(json)])
        let row = try single(connection.query("SELECT s, l, j, HEX(s), CHAR_LENGTH(s), s = ? FROM t", [.text(text)]))
        #expect(row["s"] == .text(text))
        #expect(row["l"] == .text(text))
        #expect(row["j"] == .text(json))
        // The server holds the exact UTF-8 bytes, not a re-encoding of them.
        #expect(row[3] == .text(hex(text.utf8)))
        #expect(row[4].int64 == Int64(text.unicodeScalars.count))
        #expect(row[5].bool == true)
    }

    @Test func integerExtremes() throws {
        let connection = try testConnection()
        try connection.execute(
            """
            CREATE TEMPORARY TABLE t (k INT, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
                mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,
                flag BOOLEAN, y YEAR)
            """
        )
        let minimum: [Value] = [1, -128, 0, -32768, 0, -8_388_608, 0, -2_147_483_648, 0, .int(.min), .uint(0), false, 1901]
        let maximum: [Value] = [
            2, 127, 255, 32767, 65535, 8_388_607, 16_777_215, 2_147_483_647, 4_294_967_295, .int(.max), .uint(.max),
            true, 2155,
        ]
        let insert = "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        try connection.run(insert, minimum)
        try connection.run(insert, maximum)
        let rows = try connection.query("SELECT * FROM t ORDER BY k")
        var minimumRead = minimum
        minimumRead[10] = .int(0)  // unsigned values within Int64 range read as .int
        #expect(rows.map(\.values) == [minimumRead, maximum])
        #expect(rows[1]["bu"].uint64 == .max)
        #expect(rows[1]["bu"].int64 == nil)
        #expect(rows[1]["flag"].bool == true)
        #expect(rows[0]["flag"].bool == false)
        // An unsigned value within Int64 range reads as .int, whichever case bound it.
        let small = try single(connection.query("SELECT CAST(? AS UNSIGNED)", [.uint(42)]))
        #expect(small[0] == .int(42))
    }

    @Test func numbersAndDecimals() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (d DOUBLE, f FLOAT, m DECIMAL(20,4), whole DECIMAL(10,0))")
        try connection.run("INSERT INTO t VALUES (?, ?, ?, ?)", [.double(-1.5e300), .double(0.25), .text("12345.6789"), 42])
        let row = try single(connection.query("SELECT d, f, m, whole, SUM(whole), COUNT(*), 7 / 2 FROM t"))
        #expect(row["d"] == .double(-1.5e300))
        #expect(row["f"] == .double(0.25))
        #expect(row["m"] == .text("12345.6789"))
        #expect(row["m"].double == 12345.6789)
        #expect(row["whole"].int64 == 42)
        #expect(row[4].int64 == 42)  // SUM() of a DECIMAL is a DECIMAL: text
        #expect(row[5] == .int(1))
        #expect(row[6].double == 3.5)
    }

    @Test func textAndBinaryColumnsAreTold() throws {
        let connection = try testConnection()
        try connection.execute(
            """
            CREATE TEMPORARY TABLE t (c CHAR(3), vb VARBINARY(8), bl BLOB, tx TEXT, e ENUM('a','b'), bits BIT(8),
                                      tm TIME(3))
            """
        )
        try connection.run(
            "INSERT INTO t VALUES (?, ?, ?, ?, ?, b'10100101', ?)",
            [.text("abc"), .blob([0, 255, 10]), .blob([]), .text("t"), .text("b"), .text("-12:34:56.789")]
        )
        let row = try single(connection.query("SELECT c, vb, bl, tx, e, bits, tm, UNHEX('FF00'), 'lit' FROM t"))
        #expect(
            row.values == [
                "abc", .blob([0, 255, 10]), .blob([]), "t", "b", .blob([0xA5]), "-12:34:56.789",
                .blob([0xFF, 0]), "lit",
            ]
        )
        #expect(row.columnNames == ["c", "vb", "bl", "tx", "e", "bits", "tm", "UNHEX('FF00')", "lit"])
        #expect(row["VB"] == .blob([0, 255, 10]))  // column names ignore case, as in SQL
        #expect(row["missing"] == .null)
        #expect(!row.hasColumn("missing"))
    }

    @Test func wrongParameterCountIsRefusedAndHarmless() throws {
        let connection = try testConnection()
        let error = #expect(throws: MariaDBError.self) { try connection.query("SELECT ? + ?", [1]) }
        #expect(error?.code == MariaDBError.Code.wrongParameterCount)
        #expect(!connection.isBroken)
        #expect(try connection.query("SELECT ? + ?", [1, 2]).first?[0] == 3)
    }
}

extension String {
    /// Enough JSON string escaping for the test texts.
    fileprivate func replacingJSONSpecials() -> String {
        var escaped = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\u{0}": escaped += "\\u0000"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
