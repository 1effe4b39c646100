import Foundation

/// A required environment variable is not set: the test fails with this, never passes.
public struct MissingEnvironment: Error, CustomStringConvertible {
    public let name: String
    public let purpose: String
    public var description: String {
        "environment variable \(name) is not set (\(purpose)); run the tests through `make test`, "
            + "which starts a private MariaDB and nginx and exports the SEALDROP_TEST_* variables"
    }
}

/// Where the live test stack is, read from the environment that `make test` sets up.
/// Every accessor throws `MissingEnvironment` when its variable is missing or empty,
/// so a test that needs the stack fails loudly instead of silently passing.
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

    /// `SEALDROP_BIN`: the built `sealdrop` executable.
    public static func binary() throws -> String {
        try require("SEALDROP_BIN", "path of the built sealdrop executable")
    }

    /// `SEALDROP_REPO`: the repository root (where `scripts/stack.sh` lives).
    public static func repository() throws -> String {
        try require("SEALDROP_REPO", "root of the SealDrop repository")
    }

    /// The value of `name`, or `MissingEnvironment` naming it and what it is for.
    public static func require(_ name: String, _ purpose: String, allowEmpty: Bool = false) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], allowEmpty || !value.isEmpty else {
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
