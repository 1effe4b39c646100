import MariaDB
import Testing

@Suite struct RowDecodingTests {
    @Test func columnsDecodeByNameAsTheirTypes() throws {
        let connection = try testConnection()
        let row = try #require(try connection.query("""
            SELECT 42 AS id, 'Alice' AS name, NULL AS nickname, 1 = 1 AS seen,
                   CAST(12 AS DECIMAL(10, 2)) AS total, TIMESTAMP'2025-01-02 03:04:05' AS created_at
            """).first)
        #expect(try row.decode("id", as: Int64.self) == 42)
        #expect(try row.decode("ID", as: Int.self) == 42)  // names match ignoring ASCII case, as MariaDB's do
        #expect(try row.decode("name", as: String.self) == "Alice")
        #expect(try row.decode("name", as: String?.self) == "Alice")
        #expect(try row.decode("nickname", as: String?.self) == nil)
        #expect(try row.decode("seen", as: Bool.self))
        #expect(try row.decode("total", as: Int64.self) == 12)
        #expect(try row.decode("created_at", as: DateTime.self).year == 2025)
        let total: Int64 = try row.decode("total")
        #expect(total == 12)
    }

    @Test func aMissingColumnNullOrOtherTypeThrowsWithoutTheValue() throws {
        let connection = try testConnection()
        let row = try #require(try connection.query("SELECT 'secret-Zq81' AS token, NULL AS gone").first)

        let missing = #expect(throws: RowDecodingError.self) { try row.decode("id", as: Int64.self) }
        #expect(missing?.problem == .missingColumn(columns: ["token", "gone"]))
        #expect(missing?.description == "no column 'id' in the result (it has token, gone)")
        // A missing column is an error even where NULL would be welcome.
        #expect(throws: RowDecodingError.self) { try row.decode("id", as: Int64?.self) }

        let null = #expect(throws: RowDecodingError.self) { try row.decode("gone", as: String.self) }
        #expect(null?.problem == .null)

        let mismatch = #expect(throws: RowDecodingError.self) { try row.decode("token", as: Int64.self) }
        #expect(mismatch?.problem == .mismatch(found: "text"))
        #expect(mismatch?.description == "column 'token' holds text where Int64 was expected")
        for error in [missing, null, mismatch].compactMap({ $0 }) {
            #expect(!error.description.contains("Zq81"))
        }
    }
}
