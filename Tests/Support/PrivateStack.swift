import Foundation

/// `stack.sh` is missing or one of its commands failed (with its output).
public struct StackError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A MariaDB + responder + nginx stack of its own, started by `scripts/stack.sh`,
/// for tests that break things (stop the database) and so must not share the
/// main test stack with the tests running in parallel.
public struct PrivateStack: Sendable {
    /// `$SEALDROP_REPO/scripts/stack.sh`.
    public let script: String
    /// This stack's own run directory (data, sockets, logs, pids).
    public let runDirectory: String
    public let httpPort: UInt16
    /// Environment every `stack.sh` call gets: RUN_DIR, HTTP_PORT, SEALDROP_BIN and
    /// the responder settings.
    public let environment: [String: String]
    /// What `stack.sh start` wrote to `$RUN_DIR/stack.env`.
    public let values: [String: String]

    /// nginx of this stack.
    public var baseURL: String { "http://127.0.0.1:\(httpPort)" }

    /// A SealDrop client for this stack, with a short timeout: requests here are
    /// expected to fail fast while the database is down.
    public func client(timeout: Double = 15) throws -> SealDropClient {
        SealDropClient(http: try HTTPClient(baseURL: baseURL, timeout: timeout))
    }

    /// The responder's main process (its supervisor, when it has workers).
    public func responderPID() throws -> pid_t {
        let path = runDirectory + "/sealdrop.pid"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            throw StackError("no process id in \(path): \(text)")
        }
        return pid
    }

    /// Runs `sql` as MariaDB's root in this stack's database; returns the rows, tab
    /// separated, without column names.
    public func sql(_ sql: String) throws -> String {
        let name = values["SEALDROP_TEST_DB_NAME"] ?? "sealdrop"
        let result = try runCommand("/usr/bin/mariadb", ["--defaults-file=\(runDirectory)/my.cnf", "--batch",
                                                         "--skip-column-names", name, "-e", sql])
        guard result.status == 0 else { throw StackError("mariadb: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `stack.sh <subcommand>`; throws with its output when it exits non-zero.
    @discardableResult
    public func run(_ subcommand: String) throws -> CommandResult {
        try Self.run(script, subcommand, environment)
    }

    /// The flood limits switched off (0 counts nothing), so tests that are not
    /// about them never trip them: all requests come from 127.0.0.1.
    public static let unlimited = [
        "SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR": "0", "SEALDROP_ADDRESS_REQUESTS_PER_MINUTE": "0",
        "SEALDROP_LINK_SENDS_PER_MINUTE": "0", "SEALDROP_ADDRESS_PERMISSION_REQUESTS_PER_DAY": "0",
    ]

    /// Starts a stack under a fresh directory of `$SEALDROP_REPO/.run/`, runs `body`,
    /// and always stops the stack and removes its directory afterwards (the
    /// directory is kept when SEALDROP_KEEP_RUN_DIRS is set, for debugging).
    /// `settings` (SealDrop configuration variables, over `unlimited`) reach the
    /// responder through the environment, which wins over its config file.
    public static func with<R>(
        name: String, settings: [String: String] = [:], _ body: (PrivateStack) throws -> R
    ) throws -> R {
        let repository = try TestEnvironment.repository()
        let binary = try TestEnvironment.binary()
        let script = repository + "/scripts/stack.sh"
        guard FileManager.default.fileExists(atPath: script) else {
            throw StackError("\(script) does not exist; the private-stack tests need it")
        }
        let runDirectory = "\(repository)/.run/\(name)-\(ProcessInfo.processInfo.processIdentifier)-"
            + UUID().uuidString.prefix(8).lowercased()
        let port = try freeLocalPort()
        let environment = unlimited.merging(settings) { _, new in new }
            .merging(["RUN_DIR": runDirectory, "HTTP_PORT": String(port), "SEALDROP_BIN": binary]) { _, new in new }
        defer {
            _ = try? run(script, "stop", environment)
            if ProcessInfo.processInfo.environment["SEALDROP_KEEP_RUN_DIRS"] == nil {
                try? FileManager.default.removeItem(atPath: runDirectory)
            }
        }
        try run(script, "start", environment)
        let values = try readEnvironmentFile(runDirectory + "/stack.env")
        let stack = PrivateStack(
            script: script, runDirectory: runDirectory, httpPort: port, environment: environment, values: values)
        return try body(stack)
    }

    @discardableResult
    private static func run(_ script: String, _ subcommand: String, _ environment: [String: String]) throws
        -> CommandResult
    {
        let result = try runCommand("/bin/bash", [script, subcommand], environment: environment)
        guard result.status == 0 else {
            throw StackError(
                "stack.sh \(subcommand) exited with \(result.status); output:\n\(result.output.suffix(3000))")
        }
        return result
    }
}
