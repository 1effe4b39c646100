#if canImport(Glibc)
import Glibc
#endif
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
    public static func run(configuration: Configuration, mode: Mode) throws {
        SodiumLibrary.initialize()
        MariaDBLibrary.initialize()

        let listener: ListeningSocket
        switch mode {
        case .listen(let address):
            listener = try ListeningSocket.open(address: address, mode: mode_t(configuration.socketMode))
        case .inheritedOrCGI:
            guard let inherited = ListeningSocket.inherited() else {
                serveCGIRequest(configuration: configuration)
                return
            }
            listener = inherited
        }
        RequestLog.notice("serving with \(configuration.threads) threads")
        try WorkerPool.serve(
            on: listener, threads: configuration.threads,
            aroundThread: { body in MariaDBLibrary.withThreadContext(body) },
            makeHandler: { index in
                let application = Application(configuration: configuration,
                                              store: MariaDBStore(configuration: configuration.database))
                return ResponderHandler(application: application, workerIndex: index)
            })
        RequestLog.notice("stopped")
    }

    private static func serveCGIRequest(configuration: Configuration) {
        let application = Application(configuration: configuration, store: MariaDBStore(configuration: configuration.database))
        let exchange = CGIExchange()
        ResponderHandler(application: application, workerIndex: 0).handle(exchange)
        exchange.discardRemainingBody()
    }
}
