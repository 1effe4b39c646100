import Foundation
import Synchronization

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
        return try ScriptedStacks.start(script: repository + "/scripts/stack.sh", environment: environment,
                                        directory: runDirectory, environmentFile: runDirectory + "/stack.env")
    }
}

/// Stacks a test process started with one of the repository's scripts
/// (`scripts/stack.sh`, `scripts/cluster.sh`) for itself, each stopped (`<script>
/// stop`) and its directory removed when the process exits (the directory is kept
/// when SEALDROP_KEEP_RUN_DIRS is set, for debugging).
enum ScriptedStacks {
    private struct Started: Sendable {
        let script: String
        let environment: [String: String]
        let directory: String
    }

    private static let started = Mutex<[Started]>([])
    private static let stopAtExit: Void = { atexit { ScriptedStacks.stopAll() } }()

    /// Runs `<script> start` with `environment` added to this process's, and returns
    /// the variables it wrote to `environmentFile`.
    static func start(script: String, environment: [String: String], directory: String,
                      environmentFile: String) throws -> [String: String] {
        _ = stopAtExit
        started.withLock { $0.append(Started(script: script, environment: environment, directory: directory)) }
        let result = try runCommand("/bin/bash", [script, "start"], environment: environment)
        guard result.status == 0 else {
            throw StackError("\(script) start exited \(result.status):\n\(result.output.suffix(3000))")
        }
        return try readEnvironmentFile(environmentFile)
    }

    private static func stopAll() {
        for stack in started.withLock({ $0 }).reversed() {
            _ = try? runCommand("/bin/bash", [stack.script, "stop"], environment: stack.environment)
            if ProcessInfo.processInfo.environment["SEALDROP_KEEP_RUN_DIRS"] == nil {
                try? FileManager.default.removeItem(atPath: stack.directory)
            }
        }
    }
}
