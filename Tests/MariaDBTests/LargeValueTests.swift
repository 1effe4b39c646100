import MariaDB
import Testing

@Suite struct LargeValueTests {
    /// Deterministic bytes covering all 256 values.
    private func pattern(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }

    @Test func oneMegabyteLongTextAnd64KiBBlob() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (id INT PRIMARY KEY, body LONGTEXT, data BLOB) DEFAULT CHARSET=utf8mb4")
        // 1 MiB of text mixing 1- to 4-byte characters.
        let unit = "a€😀ü" + String(repeating: "x", count: 6)  // 1+3+4+2+6 = 16 bytes
        let text = String(repeating: unit, count: 1 << 16)
        let blob = pattern(65_535)  // a BLOB's maximum
        #expect(text.utf8.count == 1 << 20)
        try connection.run("INSERT INTO t VALUES (?, ?, ?)", [1, .text(text), .blob(blob)])
        let row = try single(connection.query("SELECT body, data, LENGTH(body), LENGTH(data) FROM t WHERE id = ?", [1]))
        #expect(row[2].int64 == 1 << 20)
        #expect(row[3].int64 == 65_535)
        #expect(row["body"].string == text)
        #expect(row["data"].bytes == blob)
    }

    @Test func severalMegabytesAndMixedSizesInOneResult() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (id INT PRIMARY KEY, body LONGTEXT, data LONGBLOB)")
        let sizes = [0, 1, 255, 70_000, 5 * 1024 * 1024, 3]
        for (id, size) in sizes.enumerated() {
            try connection.run(
                "INSERT INTO t VALUES (?, ?, ?)",
                [.int(Int64(id)), .text(String(repeating: "z", count: size)), .blob(pattern(size, seed: UInt32(id)))]
            )
        }
        // Buffers are sized for the longest value in the result; shorter ones must
        // come back with their own lengths.
        let rows = try connection.query("SELECT id, body, data FROM t ORDER BY id")
        #expect(rows.count == sizes.count)
        for (row, size) in zip(rows, sizes) {
            let id = Int(row[0].int64 ?? -1)
            #expect(row[1].string?.utf8.count == size)
            #expect(row[2].bytes == pattern(size, seed: UInt32(id)))
        }
        // The same cached statement then reads small values again.
        let small = try connection.query("SELECT id, body, data FROM t WHERE id < ? ORDER BY id", [2])
        #expect(small.map { $0[1] } == ["", "z"])
    }

    @Test func largeValueAsParameterOnly() throws {
        let connection = try testConnection()
        let text = String(repeating: "0123456789abcdef", count: 200_000)  // 3.2 MB
        let row = try single(
            connection.query(
                "SELECT LENGTH(?), SHA2(?, 256) = SHA2(REPEAT('0123456789abcdef', 200000), 256)",
                [.text(text), .text(text)]
            )
        )
        #expect(row[0].int64 == Int64(text.utf8.count))
        #expect(row[1].bool == true)
    }
}
