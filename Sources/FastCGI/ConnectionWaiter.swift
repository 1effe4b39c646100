import CFastCGI
import Glibc

/// One worker's wait for the next connection or for shutdown: an epoll instance
/// watching the listening socket and the shutdown pipe.
///
/// The socket is registered with `EPOLLEXCLUSIVE`, so a new connection wakes one
/// idle worker rather than all of them (which `poll` does: every idle worker woke,
/// and all but one went back to sleep empty-handed, costing more than answering
/// `/health`). The pipe is registered without it, so shutdown wakes every worker.
final class ConnectionWaiter: Sendable {
    private let descriptor: Int32
    private let wakeDescriptor: Int32

    init(listener: Int32, wakeDescriptor: Int32) throws {
        descriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        self.wakeDescriptor = wakeDescriptor
        guard descriptor >= 0 else { throw ListenError(description: "cannot create an epoll instance: \(Self.lastError)") }
        guard Self.watch(listener, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, on: descriptor),
              Self.watch(wakeDescriptor, events: EPOLLIN.rawValue, on: descriptor) else {
            let reason = Self.lastError
            close(descriptor)
            throw ListenError(description: "cannot watch the listening socket: \(reason)")
        }
    }

    deinit { close(descriptor) }

    /// True when a connection may be waiting; false once shutdown began.
    /// `whenIdle` runs first: the worker has nothing to do until this returns. It
    /// runs again each time the wait it asked for passes with nothing to do.
    func waitForConnection(whenIdle: () -> Duration?) -> Bool {
        var timeout = Self.milliseconds(whenIdle())
        var events = [epoll_event](repeating: epoll_event(), count: 2)
        while true {
            let ready = epoll_wait(descriptor, &events, 2, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                return false
            }
            if events.prefix(Int(ready)).contains(where: { $0.data.fd == wakeDescriptor }) { return false }
            if ready > 0 { return true }
            timeout = Self.milliseconds(whenIdle())
        }
    }

    /// epoll's timeout for `wait`: -1 waits for ever; a wait is at least 1 ms.
    private static func milliseconds(_ wait: Duration?) -> Int32 {
        guard let wait else { return -1 }
        let (seconds, attoseconds) = wait.components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(1, total))
    }

    private static func watch(_ fd: Int32, events: UInt32, on epoll: Int32) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
