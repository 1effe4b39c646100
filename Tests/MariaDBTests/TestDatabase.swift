import MariaDB
import TestSupport

/// Connection options of the test server, from `SEALDROP_TEST_DB_*`. Throws
/// `MissingEnvironment` (failing the test, naming the variable) when one is unset.
func testOptions(readTimeout: UInt32 = 30) throws -> ConnectionOptions {
    let database = try TestEnvironment.database()
    return ConnectionOptions(
        unixSocket: database.socket,
        user: database.user,
        password: database.password,
        database: database.name,
        readTimeout: readTimeout
    )
}

/// A fresh connection to the test server. Tests use TEMPORARY tables, which belong to
/// their connection and vanish with it, so tests running in parallel never collide
/// and nothing is left behind.
func testConnection(readTimeout: UInt32 = 30) throws -> Connection {
    try Connection(testOptions(readTimeout: readTimeout))
}

/// Hex of UTF-8 bytes as `HEX()` prints it, to compare with what the server stored.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789ABCDEF")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
}

/// The only row of a result; fails the test with a clear error otherwise.
func single(_ rows: [Row]) throws -> Row {
    guard rows.count == 1, let row = rows.first else {
        throw UnexpectedRows(count: rows.count)
    }
    return row
}

struct UnexpectedRows: Error, CustomStringConvertible {
    let count: Int
    var description: String { "expected exactly one row, got \(count)" }
}
