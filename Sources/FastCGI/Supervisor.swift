import CFastCGI
import Glibc

/// A prefork master, as php-fpm and gunicorn run one: it holds the listening
/// socket, forks worker processes that each serve it with their own threads, and
/// replaces a worker that dies at once.
///
/// A Swift trap (an overflow, a bad index) cannot be caught and ends the process
/// with every thread in it. Behind a supervisor it ends one worker: the requests
/// in flight there fail, every other connection waits in the socket's backlog or
/// goes to another worker, and a new worker is accepting within milliseconds.
///
/// The master stays single-threaded and does no request work: it forks, waits for
/// signals, reaps and forks again. It forks before any thread or database
/// connection exists, so a worker starts as clean as a process started by hand.
public struct Supervisor {
    /// How many worker processes to keep.
    public let processes: Int
    /// The first wait before replacing a worker that died before it took a
    /// request; it doubles for each such death in a row, up to `maximumBackoff`.
    public var initialBackoffSeconds = 0.1
    public var maximumBackoffSeconds = 10.0
    /// How a line about the workers reaches the log.
    private let report: (String) -> Void

    public init(processes: Int, report: @escaping (String) -> Void) {
        self.processes = max(1, processes)
        self.report = report
    }

    /// Keeps `processes` workers alive until SIGTERM or SIGINT, then lets each
    /// finish what it is serving and returns once all have exited.
    ///
    /// - Parameter worker: the whole life of one worker process, run in the child
    ///   after `fork`; it is given the latch to open once it has accepted a
    ///   request, and returns the process's exit status.
    public func run(worker: (_ slot: Int, _ firstRequest: FirstRequestLatch) -> Int32) throws {
        let signals = MasterSignals()
        let latches = try SharedLatchPage(count: processes)
        var slots = [WorkerSlot](repeating: WorkerSlot(), count: processes)
        let master = getpid()

        func spawn(_ index: Int) {
            latches.reset(index)
            // What stdio buffered in the master must not be written twice.
            fflush(nil)
            let pid = fork()
            if pid == 0 {
                signals.restoreForWorker()
                // A worker outliving its master would serve on unsupervised; it drains instead.
                _ = sealdrop_terminate_with_parent()
                if getppid() != master { exit(0) }
                exit(worker(index, FirstRequestLatch(page: latches, index: index)))
            }
            if pid < 0 {
                report("cannot start worker \(index): \(String(cString: strerror(errno))); trying again")
                slots[index].scheduleRestart(after: slots[index].nextBackoff(initialBackoffSeconds, maximumBackoffSeconds))
                return
            }
            slots[index].started(pid)
        }

        report("supervising \(processes) worker processes")
        for index in 0..<processes { spawn(index) }

        var stopping = false
        while !stopping {
            let received = signals.wait(seconds: slots.secondsUntilNextRestart(cappedAt: 1))
            stopping = received == SIGTERM || received == SIGINT
            for (pid, status) in reapExited() {
                guard let index = slots.firstIndex(where: { $0.pid == pid }) else { continue }
                let tookRequest = latches.isOpen(index)
                slots[index].exited()
                guard !stopping else { continue }
                if tookRequest {
                    // A request took it down: service continues at once, however often.
                    slots[index].resetBackoff()
                    report("worker \(index) (pid \(pid)) \(describe(status)); replaced")
                    spawn(index)
                } else {
                    // It died before taking a request: a broken configuration or
                    // environment, which a respawn loop would only repeat.
                    let wait = slots[index].nextBackoff(initialBackoffSeconds, maximumBackoffSeconds)
                    report("worker \(index) (pid \(pid)) \(describe(status)) before taking a request; replacing it in \(wait)s")
                    slots[index].scheduleRestart(after: wait)
                }
            }
            if !stopping {
                for index in slots.indices where slots[index].isRestartDue { spawn(index) }
            }
        }

        report("stopping: letting \(slots.filter { $0.pid != nil }.count) workers finish")
        for slot in slots { if let pid = slot.pid { kill(pid, SIGTERM) } }
        for slot in slots {
            guard let pid = slot.pid else { continue }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// Every child that has exited since the last call, with its wait status.
    private func reapExited() -> [(pid_t, Int32)] {
        var exited: [(pid_t, Int32)] = []
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 { exited.append((pid, status)); continue }
            if pid < 0 && errno == EINTR { continue }
            return exited
        }
    }

    private func describe(_ status: Int32) -> String {
        // WIFEXITED/WTERMSIG are macros Swift cannot import.
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        return "was killed by signal \(signal)"
    }
}

/// What the master knows of one worker position.
private struct WorkerSlot {
    var pid: pid_t?
    /// When a worker that died early is due to be replaced (monotonic seconds).
    var restartAt: Double?
    var failuresInARow = 0

    mutating func started(_ pid: pid_t) {
        self.pid = pid
        restartAt = nil
    }

    mutating func exited() { pid = nil }

    mutating func resetBackoff() { failuresInARow = 0 }

    mutating func nextBackoff(_ initial: Double, _ maximum: Double) -> Double {
        defer { failuresInARow += 1 }
        return min(maximum, initial * Double(1 << min(failuresInARow, 20)))
    }

    mutating func scheduleRestart(after seconds: Double) { restartAt = monotonicSeconds() + seconds }

    var isRestartDue: Bool { pid == nil && (restartAt.map { $0 <= monotonicSeconds() } ?? false) }
}

extension Array where Element == WorkerSlot {
    fileprivate func secondsUntilNextRestart(cappedAt cap: Double) -> Double {
        let now = monotonicSeconds()
        return compactMap { $0.pid == nil ? $0.restartAt : nil }.map { Swift.max(0, $0 - now) }.min().map { Swift.min($0, cap) } ?? cap
    }
}

private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// The master's signals: TERM, INT and CHLD blocked and taken synchronously, so
/// no handler ever runs in it and a child's death is seen in the main loop.
private struct MasterSignals {
    private var set = sigset_t()
    private var previous = sigset_t()

    init() {
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGCHLD] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, &previous)
    }

    /// The signal received within `seconds`, or 0.
    func wait(seconds: Double) -> Int32 {
        var timeout = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var signals = set
        let received = sigtimedwait(&signals, nil, &timeout)
        return received > 0 ? received : 0
    }

    /// A worker keeps TERM and INT blocked (its pool takes them with `sigwait`,
    /// and one sent before the pool is up stays pending rather than killing it
    /// half-started) and gets back the master's mask for everything else.
    func restoreForWorker() {
        var mask = previous
        sigaddset(&mask, SIGTERM)
        sigaddset(&mask, SIGINT)
        pthread_sigmask(SIG_SETMASK, &mask, nil)
    }
}
