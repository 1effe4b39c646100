import Foundation

/// The test stack of a bare `swift test`: `make test` starts one and exports where it
/// is, but `swift test` alone (or with `--filter`) has none, so the first test that
/// asks for it starts one (MariaDB, the responder, nginx, via `scripts/stack.sh`) under
/// `.run/swift-test-<pid>` on a free port, with the flood limits off as `make test` has
/// them, and it is stopped and removed when the test process exits.
enum LocalTestStack {
    /// What `stack.sh start` wrote to its `stack.env`, or why it could not start.
    static func values() throws -> [String: String] { try started.get() }

    private static let started: Result<[String: String], any Error> = Result {
        let repository = try TestEnvironment.repository()
        let runDirectory = "\(repository)/.run/swift-test-\(ProcessInfo.processInfo.processIdentifier)"
        let environment = PrivateStack.unlimited.merging([
            "RUN_DIR": runDirectory, "HTTP_PORT": String(try freeLocalPort()), "SEALDROP_BIN": try TestEnvironment.binary(),
        ]) { _, new in new }
        stopCommand = (repository + "/scripts/stack.sh", environment, runDirectory)
        atexit { LocalTestStack.stop() }
        let result = try runCommand("/bin/bash", [repository + "/scripts/stack.sh", "start"], environment: environment)
        guard result.status == 0 else {
            throw StackError("the test stack did not start (stack.sh start exited \(result.status)):\n\(result.output.suffix(3000))")
        }
        return try readEnvironmentFile(runDirectory + "/stack.env")
    }

    /// Set once, before `atexit` registers ``stop()``, and only read after.
    nonisolated(unsafe) private static var stopCommand: (script: String, environment: [String: String], runDirectory: String)?

    private static func stop() {
        guard let (script, environment, runDirectory) = stopCommand else { return }
        _ = try? runCommand("/bin/bash", [script, "stop"], environment: environment)
        if ProcessInfo.processInfo.environment["SEALDROP_KEEP_RUN_DIRS"] == nil {
            try? FileManager.default.removeItem(atPath: runDirectory)
        }
    }
}
