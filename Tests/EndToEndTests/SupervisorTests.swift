import Foundation
import Testing
import TestSupport

import Glibc

/// `sealdrop serve --processes N` on its own, without nginx or a database (workers
/// connect only when a request needs it): how it replaces workers, how it stops,
/// and where it refuses to run. The replacement under load is CrashIsolationTests'.
@Suite("Supervisor", .serialized)
struct SupervisorTests {
    /// Enough configuration to start; the database is never reached.
    private static let environment = ["DB_USER": "nobody", "DB_NAME": "nothing", "DB_SOCKET": "/nonexistent.sock",
                                      "SEALDROP_CONFIG": "/dev/null"]

    private func socketPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sealdrop-supervisor-\(getpid())-\(UUID().uuidString.prefix(8)).sock").path
    }

    @Test("A worker that dies before taking a request is replaced after a doubling back-off; SIGTERM ends all with 0")
    func backOffForWorkersThatNeverServed() throws {
        let socket = socketPath()
        let master = try ChildProcess(try TestEnvironment.binary(),
                                      ["serve", "--listen", socket, "--processes", "2", "--threads", "1"],
                                      environment: Self.environment)
        try waitUntil("the supervisor has two workers", timeout: 30) { childProcesses(of: master.pid).count == 2 }
        #expect(FileManager.default.fileExists(atPath: socket))

        // None of these workers ever takes a request, so each death at the same
        // position doubles the wait: the victim is always the last one's replacement.
        var victim = childProcesses(of: master.pid)[0]
        for (round, wait) in ["0.1", "0.2", "0.4"].enumerated() {
            let other = childProcesses(of: master.pid).filter { $0 != victim }
            #expect(kill(victim, SIGKILL) == 0)
            var replacement: pid_t = 0
            try waitUntil("worker \(victim) is replaced (round \(round + 1))", timeout: 30) {
                let now = childProcesses(of: master.pid)
                guard now.count == 2, !now.contains(victim), let new = now.first(where: { !other.contains($0) }) else { return false }
                replacement = new
                return true
            }
            #expect(master.output.contains("(pid \(victim)) was killed by signal 9 before taking a request; replacing it in \(wait)s"),
                    "\(master.output)")
            victim = replacement
        }

        let workers = childProcesses(of: master.pid)
        #expect(kill(master.pid, SIGTERM) == 0)
        let result = try master.wait()
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("every worker has stopped"))
        for worker in workers { #expect(!isRunning(worker), "worker \(worker) outlived its supervisor") }
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket file was left behind")
    }

    @Test("Killed with -9, the supervisor takes its workers with it (they drain and exit)")
    func workersFollowADeadSupervisor() throws {
        let master = try ChildProcess(try TestEnvironment.binary(),
                                      ["serve", "--listen", socketPath(), "--processes", "2", "--threads", "1"],
                                      environment: Self.environment)
        try waitUntil("the supervisor has two workers", timeout: 30) { childProcesses(of: master.pid).count == 2 }
        let workers = childProcesses(of: master.pid)
        #expect(kill(master.pid, SIGKILL) == 0)
        _ = try master.wait()
        try waitUntil("the workers exit", timeout: 30) { workers.allSatisfy { !isRunning($0) } }
    }

    @Test("--processes without a socket (plain CGI) is refused with a sentence")
    func refusedWithoutSocket() throws {
        let result = try runCommand(try TestEnvironment.binary(), ["serve", "--processes", "2"],
                                    environment: Self.environment.merging(["REQUEST_METHOD": "GET"]) { _, new in new })
        #expect(result.status == 1)
        #expect(result.output.contains("--processes needs a listening socket"), "\(result.output)")
    }
}
