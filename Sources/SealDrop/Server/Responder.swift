import Glibc
import FastCGI
import MariaDB
import Sodium

/// Starts SealDrop on whatever the front server offers: a socket of its own
/// (`--listen`), one inherited on fd 0, or a single plain CGI request.
public enum Responder {
    public enum Mode: Sendable {
        case listen(String)
        case inheritedOrCGI
    }

    /// Serves until SIGTERM (FastCGI) or for one request (CGI).
    /// - Parameter processes: with a number, a ``Supervisor`` keeps that many worker
    ///   processes of `configuration.threads` threads each on the socket; without,
    ///   this process serves it itself (mod_fcgid, CGI, and anything else that
    ///   manages processes on its own).
    public static func run(configuration: Configuration, mode: Mode, processes: Int? = nil) throws {
        let listener: ListeningSocket
        switch mode {
        case .listen(let address):
            listener = try ListeningSocket.open(address: address, mode: mode_t(configuration.socketMode))
        case .inheritedOrCGI:
            guard let inherited = ListeningSocket.inherited() else {
                guard processes == nil else {
                    throw ListenError(description: "--processes needs a listening socket (--listen, or one on fd 0)")
                }
                serveCGIRequest(configuration: configuration)
                return
            }
            listener = inherited
        }
        configuration.warnings.forEach { RequestLog.notice("warning: \($0)") }
        guard let processes else {
            try serveWorker(on: listener, configuration: configuration)
            return
        }
        try Supervisor(processes: processes, report: RequestLog.notice).run { _, firstRequest in
            do {
                try serveWorker(on: listener, configuration: configuration, firstRequest: firstRequest)
                return 0
            } catch {
                RequestLog.notice("worker: \(error)")
                return 1
            }
        }
        RequestLog.notice("every worker has stopped")
    }

    /// One process's threads on the socket, until SIGTERM; the libraries are set
    /// up here, in the process that uses them, after any fork.
    private static func serveWorker(on listener: ListeningSocket, configuration: Configuration,
                                    firstRequest: FirstRequestLatch = FirstRequestLatch()) throws {
        SodiumLibrary.initialize()
        MariaDBLibrary.initialize()
        RequestLog.notice("serving with \(configuration.threads) threads")
        // One table for the process's threads: their hits are decided together.
        let counters = LocalRateCounters(policy: .init(foldIntervalMilliseconds: configuration.abuse.limitFoldMilliseconds))
        try WorkerPool.serve(
            on: listener, threads: configuration.threads, firstRequest: firstRequest,
            aroundThread: { body in MariaDBLibrary.withThreadContext(body) },
            makeHandler: { index in
                let application = Application(configuration: configuration,
                                              store: MariaDBStore(configuration: configuration.database),
                                              counters: counters)
                return ResponderHandler(application: application, workerIndex: index)
            })
        RequestLog.notice("stopped")
    }

    private static func serveCGIRequest(configuration: Configuration) {
        SodiumLibrary.initialize()
        MariaDBLibrary.initialize()
        let application = Application(configuration: configuration, store: MariaDBStore(configuration: configuration.database))
        let exchange = CGIExchange()
        ResponderHandler(application: application, workerIndex: 0).handle(exchange)
        exchange.discardRemainingBody()
    }
}
