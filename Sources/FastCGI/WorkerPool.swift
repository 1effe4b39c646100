import CFastCGI
import Glibc

/// What a worker thread runs for each request. Created on its own thread and
/// used only there, so it may hold thread-bound resources (a database connection).
public protocol ExchangeHandler: AnyObject {
    func handle(_ exchange: RequestExchange)
    /// Runs once the response has gone to the front server, for work no
    /// client should wait for.
    func afterResponse()
    /// Runs when no request is waiting, before the worker sleeps: the time to
    /// write out anything kept back while busy. Returns how long the worker may
    /// sleep before `idle` should run again if no request comes (nil: until one does).
    func idle() -> Duration?
    /// Runs once as the worker stops, after its last request.
    func finish()
}

extension ExchangeHandler {
    public func afterResponse() {}
    public func idle() -> Duration? { nil }
    public func finish() {}
}

/// N threads, each looping accept → handle → finish on one listening socket.
///
/// Shutdown is SealDrop's own: libfcgi's SIGTERM handler only sets a flag that
/// a thread blocked in `accept` never reads. Workers instead wait in epoll
/// (``ConnectionWaiter``) on the listening socket and a wake-up pipe; SIGTERM/SIGINT make the pipe
/// readable, so idle workers leave at once and busy ones leave after finishing
/// their request.
public enum WorkerPool {
    /// Serves until SIGTERM or SIGINT, then returns once every in-flight request is done.
    /// - Parameters:
    ///   - aroundThread: wraps each worker thread's whole life (per-thread library set-up).
    ///   - makeHandler: builds a worker's handler, on that worker's thread.
    ///   - firstRequest: opened when any thread takes its first request (see ``Supervisor``).
    public static func serve(
        on listener: ListeningSocket,
        threads: Int,
        firstRequest: FirstRequestLatch = FirstRequestLatch(),
        aroundThread: @escaping @Sendable (() -> Void) -> Void = { $0() },
        makeHandler: @escaping @Sendable (Int) -> any ExchangeHandler
    ) throws {
        let signals = ShutdownSignals()
        FastCGILibrary.initialize()
        // Non-blocking, so a worker that loses the race for a connection (to another
        // worker, or to another process on the same socket during an upgrade) goes
        // back to waiting instead of sleeping in accept where no wake-up reaches it.
        let flags = fcntl(listener.descriptor, F_GETFL)
        _ = fcntl(listener.descriptor, F_SETFL, flags | O_NONBLOCK)
        let wake = try WakePipe()

        var workers: [pthread_t] = []
        for index in 0..<max(1, threads) {
            let waiter = try ConnectionWaiter(listener: listener.descriptor, wakeDescriptor: wake.readEnd)
            let worker = Worker(index: index, listener: listener.descriptor, wake: wake, waiter: waiter,
                                firstRequest: firstRequest, aroundThread: aroundThread, makeHandler: makeHandler)
            guard let thread = worker.start() else {
                wake.signal()
                workers.forEach { pthread_join($0, nil) }
                throw ListenError(description: "cannot start worker thread \(index)")
            }
            workers.append(thread)
        }
        signals.waitForShutdown()
        wake.signal()
        workers.forEach { pthread_join($0, nil) }
    }
}

/// One worker thread's loop. Its properties are immutable and Sendable, so the
/// object may be handed to the new thread.
private final class Worker: Sendable {
    let index: Int
    let listener: Int32
    let wake: WakePipe
    let waiter: ConnectionWaiter
    let firstRequest: FirstRequestLatch
    let aroundThread: @Sendable (() -> Void) -> Void
    let makeHandler: @Sendable (Int) -> any ExchangeHandler

    init(index: Int, listener: Int32, wake: WakePipe, waiter: ConnectionWaiter, firstRequest: FirstRequestLatch,
         aroundThread: @escaping @Sendable (() -> Void) -> Void,
         makeHandler: @escaping @Sendable (Int) -> any ExchangeHandler) {
        self.index = index
        self.listener = listener
        self.wake = wake
        self.waiter = waiter
        self.firstRequest = firstRequest
        self.aroundThread = aroundThread
        self.makeHandler = makeHandler
    }

    func start() -> pthread_t? {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let worker = Unmanaged<Worker>.fromOpaque(context!).takeRetainedValue()
            worker.aroundThread { worker.run() }
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Worker>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    private func run() {
        guard let slot = FastCGIRequestSlot(listeningDescriptor: listener) else { return }
        let handler = makeHandler(index)
        // Accept first, and wait only when nothing is queued: under load a worker
        // goes from one request to the next with a single accept, as a bare
        // libfcgi responder does.
        while !wake.hasSignalled {
            let status = slot.accept()
            if status == -EAGAIN || status == -EWOULDBLOCK {
                // Nothing queued, or another worker took it (the socket is non-blocking).
                guard waiter.waitForConnection(whenIdle: handler.idle) else { break }
                continue
            }
            if status < 0 {
                // The client gave up before its request was read. Anything else
                // (EMFILE, …): back off briefly.
                if status != -EINTR && status != -ECONNABORTED {
                    _ = handler.idle()
                    pauseAfterAcceptFailure()
                }
                continue
            }
            firstRequest.open()
            handler.handle(FastCGIExchange(request: slot.request))
            slot.finish()
            handler.afterResponse()
        }
        handler.finish()
    }

    /// Keeps a persistent accept error (EMFILE, …) from spinning a core, while
    /// still leaving at once on shutdown.
    private func pauseAfterAcceptFailure() {
        var fd = pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, 50)
    }
}
