import Synchronization
import Glibc

/// SIGTERM and SIGINT, blocked in every thread and received synchronously by
/// the thread that waits for them, so no signal handler runs in a worker and
/// no system call of a request in flight is interrupted.
struct ShutdownSignals {
    private var set = sigset_t()

    /// Blocks the signals in the calling thread; threads started afterwards inherit the mask.
    init() {
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    func waitForShutdown() {
        var received: Int32 = 0
        var signals = set
        while sigwait(&signals, &received) != 0 {}
    }
}

/// A pipe that becomes readable, once and for good, when shutdown begins; busy
/// workers, which never wait on it, read the flag beside it between requests.
final class WakePipe: Sendable {
    let readEnd: Int32
    private let writeEnd: Int32
    private let signalled = Atomic<Bool>(false)

    var hasSignalled: Bool { signalled.load(ordering: .acquiring) }

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw ListenError(description: "cannot create the shutdown pipe: \(String(cString: strerror(errno)))")
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func signal() {
        signalled.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}
