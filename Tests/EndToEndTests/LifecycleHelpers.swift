import Foundation
import MariaDB
import Sodium
import TestSupport

/// Calls an endpoint with a JSON body and the given proof of link ownership.
func call(_ api: SealDropClient, _ path: String, _ fields: [String: JSON], auth: SealDropClient.Auth = .none) throws -> HTTPResponse {
    try api.call(path, fields, auth: auth)
}

/// Sends `count` sealed messages (each with `metadata`, if given) to the recipient
/// and returns their ids in order.
func sendMessages(_ api: SealDropClient, to recipient: Recipient, count: Int, prefix: String = "m",
                  metadata: JSON? = nil) throws -> [Int64] {
    let key = recipient.boxKeys.publicKey
    return try (0..<count).map { index in
        let box = Base64.encode(SealedBox.seal(Array("\(prefix)\(index)".utf8), to: key))
        let json = try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: box, metadata: metadata),
                                  201, "POST /send")
        guard let id = json["id"]?.int else { throw HTTPClientError("send answered without id: \(json)") }
        return id
    }
}

func ids(_ json: JSON) -> [Int64] {
    (json["data"]?.array ?? []).compactMap { $0["id"]?.int }
}

/// A connection to a private stack's database, for setting up what no API call can
/// (aged messages, damaged counters) and for checking what was stored.
/// A connection of its own to the main test stack's database.
func testDatabaseConnection() throws -> Connection {
    let settings = try TestEnvironment.database()
    return try Connection(ConnectionOptions(unixSocket: settings.socket, user: settings.user,
                                            password: settings.password, database: settings.name))
}

func databaseConnection(_ stack: PrivateStack) throws -> Connection {
    guard let socket = stack.values["SEALDROP_TEST_DB_SOCKET"], let user = stack.values["SEALDROP_TEST_DB_USER"],
          let password = stack.values["SEALDROP_TEST_DB_PASSWORD"], let name = stack.values["SEALDROP_TEST_DB_NAME"] else {
        throw StackError("stack.env lacks the database settings: \(stack.values.keys.sorted())")
    }
    return try Connection(ConnectionOptions(unixSocket: socket, user: user, password: password, database: name))
}

/// An empty database beside the test stack's (the test account may make ones named
/// `sealdrop_*`), dropped after `body`. `body` gets the stack's database settings,
/// a connection to the stack's own database, and the scratch database's name.
func withScratchDatabase<R>(
    _ purpose: String, collation: String = "utf8mb4_unicode_ci",
    _ body: (TestEnvironment.Database, Connection, String) throws -> R
) throws -> R {
    let settings = try TestEnvironment.database()
    let stackDatabase = try testDatabaseConnection()
    let scratch = "sealdrop_\(purpose)_\(getpid())"
    try stackDatabase.execute("DROP DATABASE IF EXISTS \(scratch)")
    try stackDatabase.execute("CREATE DATABASE \(scratch) CHARACTER SET utf8mb4 COLLATE \(collation)")
    defer { _ = try? stackDatabase.execute("DROP DATABASE IF EXISTS \(scratch)") }
    return try body(settings, stackDatabase, scratch)
}

/// A settings file in the test stack's run directory naming `database` on the stack's
/// server, for running the binary (`migrate`, a CGI request) against a scratch database.
func configFile(_ settings: TestEnvironment.Database, database: String) throws -> String {
    let path = try TestEnvironment.runDirectory() + "/\(database).env"
    try """
        DB_SOCKET=\(settings.socket)
        DB_USER=\(settings.user)
        DB_PASSWORD=\(settings.password)
        DB_NAME=\(database)

        """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
