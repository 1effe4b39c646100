import Foundation

/// A required setting is neither in the environment nor to be found: the test fails
/// with this, never passes.
public struct MissingEnvironment: Error, CustomStringConvertible {
    public let name: String
    public let purpose: String
    public var description: String {
        "environment variable \(name) is not set (\(purpose)) and could not be found or made; "
            + "run `make deps` once, then `swift test` or `make test`"
    }
}

/// Where the live test stack is. `make test` starts one and exports the SEALDROP_TEST_*
/// variables; under a bare `swift test` (or `swift test --filter X`) the first test that
/// needs the stack starts one of its own (``LocalTestStack``), stopped when the tests end.
/// A setting that can be neither read nor made throws `MissingEnvironment`, so a test
/// that needs the stack fails loudly instead of silently passing.
public enum TestEnvironment {
    /// Connection settings of the test MariaDB server.
    public struct Database: Sendable {
        public let socket: String
        public let user: String
        public let password: String
        public let name: String
    }

    /// `SEALDROP_TEST_BASE_URL`: nginx in front of the responder, e.g. `http://127.0.0.1:18080`.
    public static func baseURL() throws -> String {
        try require("SEALDROP_TEST_BASE_URL", "URL of nginx in front of the test responder")
    }

    /// `SEALDROP_TEST_DB_SOCKET`, `_USER`, `_PASSWORD`, `_NAME`. The password may be empty
    /// but must be set.
    public static func database() throws -> Database {
        Database(
            socket: try require("SEALDROP_TEST_DB_SOCKET", "unix socket of the test MariaDB"),
            user: try require("SEALDROP_TEST_DB_USER", "user of the test MariaDB"),
            password: try require("SEALDROP_TEST_DB_PASSWORD", "password of the test MariaDB", allowEmpty: true),
            name: try require("SEALDROP_TEST_DB_NAME", "database name of the test MariaDB"))
    }

    /// `SEALDROP_TEST_RUN_DIR`: the directory holding the test stack's sockets, logs and pids.
    public static func runDirectory() throws -> String {
        try require("SEALDROP_TEST_RUN_DIR", "run directory of the test stack")
    }

    /// `SEALDROP_BIN`, or the `sealdrop` that SwiftPM built beside the test binary.
    public static func binary() throws -> String {
        if let given = ProcessInfo.processInfo.environment["SEALDROP_BIN"], !given.isEmpty { return given }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("sealdrop").path
        guard FileManager.default.isExecutableFile(atPath: beside) else {
            throw MissingEnvironment(name: "SEALDROP_BIN", purpose: "path of the built sealdrop executable")
        }
        return beside
    }

    /// `SEALDROP_REPO`, or the checkout this file is in (where `scripts/stack.sh` lives).
    public static func repository() throws -> String {
        if let given = ProcessInfo.processInfo.environment["SEALDROP_REPO"], !given.isEmpty { return given }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Support
            .deletingLastPathComponent().deletingLastPathComponent().path  // Tests, the checkout
        guard FileManager.default.fileExists(atPath: checkout + "/scripts/stack.sh") else {
            throw MissingEnvironment(name: "SEALDROP_REPO", purpose: "root of the SealDrop repository")
        }
        return checkout
    }

    /// The value of `name` from the environment, else from a test stack started for
    /// this test run; `MissingEnvironment` naming it when neither has it.
    public static func require(_ name: String, _ purpose: String, allowEmpty: Bool = false) throws -> String {
        if let value = ProcessInfo.processInfo.environment[name], allowEmpty || !value.isEmpty { return value }
        guard name.hasPrefix("SEALDROP_TEST_") else { throw MissingEnvironment(name: name, purpose: purpose) }
        guard let value = try LocalTestStack.values()[name], allowEmpty || !value.isEmpty else {
            throw MissingEnvironment(name: name, purpose: purpose)
        }
        return value
    }

    /// An HTTP client for the main test stack.
    public static func httpClient(timeout: Double = 30) throws -> HTTPClient {
        try HTTPClient(baseURL: baseURL(), timeout: timeout)
    }

    /// A SealDrop API client for the main test stack.
    public static func sealDropClient(timeout: Double = 30) throws -> SealDropClient {
        SealDropClient(http: try httpClient(timeout: timeout))
    }
}
