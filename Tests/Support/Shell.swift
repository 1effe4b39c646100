import Foundation

import Glibc

/// The outcome of a finished child process.
public struct CommandResult: Sendable {
    public let status: Int32
    /// Standard output and standard error, interleaved as written.
    public let output: String
}

/// Runs `executable arguments…` with the current environment plus `environment`,
/// waits for it, and returns its exit status and combined output. Throws only when
/// the process cannot be started; a non-zero status is the caller's to judge.
public func runCommand(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:]
) throws -> CommandResult {
    let child = try ChildProcess(executable, arguments, environment: environment)
    return try child.wait()
}

/// A started child process, its standard output and error going to a file, to be
/// signalled and waited for.
///
/// `posix_spawn` + `waitpid`, not Foundation's `Process`: under the test runner
/// `Process.waitUntilExit()` was seen never to notice a child's exit (a zombie
/// left unreaped). The child gets an empty signal mask and default dispositions,
/// so daemons it starts (MariaDB, nginx, the responder) still obey SIGTERM.
public final class ChildProcess {
    public let pid: pid_t
    /// Output goes to a file, not a pipe: daemons the child leaves running keep
    /// their inherited stdout, which would hold a pipe open forever.
    public let logPath: String
    private var exitStatus: Int32?

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        logPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("sealdrop-e2e-\(getpid())-\(UUID().uuidString).log").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            unlink(logPath)
            throw CommandError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
    }

    /// What it has written so far.
    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits for it to exit (once) and returns its status and output.
    public func wait() throws -> CommandResult {
        if exitStatus == nil {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else { throw CommandError("waitpid failed: \(String(cString: strerror(errno)))") }
            }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
            exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
        return CommandResult(status: exitStatus ?? -1, output: output)
    }

    /// Kills it if it still runs, reaps it and removes its output file.
    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = try? wait()
        }
        unlink(logPath)
    }
}

/// A child process could not be started or waited for.
public struct CommandError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reads a `KEY=VALUE` file (such as `stack.env`; `export ` prefixes, quotes and
/// `#` comments allowed) into a dictionary.
public func readEnvironmentFile(_ path: String) throws -> [String: String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var values: [String: String] = [:]
    for rawLine in text.split(whereSeparator: \.isNewline) {
        var line = rawLine.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { continue }
        if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)) }
        guard let equals = line.firstIndex(of: "=") else { continue }
        let key = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
        var value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            value = String(value.dropFirst().dropLast())
        }
        values[key] = value
    }
    return values
}
