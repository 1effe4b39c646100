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
