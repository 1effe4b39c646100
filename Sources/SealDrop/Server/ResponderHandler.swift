import FastCGI
#if canImport(Glibc)
import Glibc
#endif

/// A worker thread's request handler: reads the exchange, lets the
/// ``Application`` answer, writes the response and logs one line.
public final class ResponderHandler: ExchangeHandler {
    private let application: Application
    private let reader: RequestReader
    private let idPrefix: String
    private var served: UInt64 = 0

    public init(application: Application, workerIndex: Int) {
        self.application = application
        self.reader = RequestReader(maxBodyBytes: application.configuration.limits.maxBodyBytes)
        self.idPrefix = "\(getpid())-\(workerIndex)-"
    }

    public func handle(_ exchange: RequestExchange) {
        let started = monotonicMicroseconds()
        served &+= 1
        let id = idPrefix + String(served)
        let response: HTTPResponse
        let route: String
        var detail: String?
        var method = "-"
        do {
            let request = try reader.read(exchange)
            method = request.method
            let outcome = application.respond(to: request)
            response = outcome.response
            route = outcome.route
            detail = outcome.logDetail
        } catch {
            let (path, _) = RequestReader.resolvePath(exchange)
            method = exchange.parameter("REQUEST_METHOD") ?? "-"
            route = Router.name(forPath: path)
            response = application.respond(toUnreadable: error, method: method)
        }
        exchange.write(response.serialized())
        if let detail { RequestLog.error(id: id, detail) }
        RequestLog.request(id: id, method: method, route: route, status: response.status.code,
                           microseconds: monotonicMicroseconds() - started)
    }
}

extension ResponderHandler {
    public func afterResponse() {
        application.maintain()
    }
}

@available(*, unavailable)
extension ResponderHandler: Sendable {}
