import FastCGI
import Glibc

/// A worker thread's request handler: reads the exchange, lets the
/// ``Application`` answer, writes the response and logs one line.
public final class ResponderHandler: ExchangeHandler {
    private let application: Application
    private let reader: RequestReader
    private let idPrefix: String
    private let trustedProxies: [String]
    private var served: UInt64 = 0
    private let log = RequestLog()

    public init(application: Application, workerIndex: Int) {
        self.application = application
        self.reader = RequestReader(maxBodyBytes: application.configuration.limits.maxBodyBytes)
        self.idPrefix = "\(getpid())-\(workerIndex)-"
        self.trustedProxies = application.configuration.abuse.trustedProxies
    }

    public func handle(_ exchange: RequestExchange) {
        let started = monotonicMicroseconds()
        served &+= 1
        let parameters = RequestReader.Parameters(exchange)
        let id = Self.outsideRequestID(header: parameters[.forwardedRequestID], frontServer: parameters[.frontRequestID],
                                       remoteAddress: parameters[.remoteAddress], trustedProxies: trustedProxies)
            ?? idPrefix + String(served)
        var response: HTTPResponse
        let route: String
        var detail: String?
        var method = "-"
        do {
            let request = try reader.read(exchange, parameters: parameters)
            method = request.method
            let outcome = application.respond(to: request)
            response = outcome.response
            route = outcome.route
            detail = outcome.logDetail
        } catch {
            let (path, _) = RequestReader.resolvePath(parameters)
            method = parameters[.method] ?? "-"
            route = Router.name(forPath: path)
            response = application.respond(toUnreadable: error, method: method)
        }
        // The id a client can quote when reporting a 500; the log has the detail.
        response.headers.append(("X-Request-ID", id))
        exchange.write(response.serialized())
        let finished = monotonicMicroseconds()
        if let detail { log.error(id: id, detail, now: finished) }
        log.request(id: id, method: method, route: route, status: response.status.code,
                    microseconds: finished - started, now: finished)
    }
}

extension ResponderHandler {
    /// The id another server gave the request, when one may stand for it in the log
    /// and `X-Request-ID`: the `X-Request-ID` header of a trusted proxy (`REMOTE_ADDR`
    /// listed in `SEALDROP_TRUSTED_PROXIES`; it named the request before it reached
    /// this host, so it ties every hop's log together), else the front server's own
    /// `REQUEST_ID` parameter. A client's header is never used: it could name the
    /// log line of someone else's request. Nil: SealDrop makes the id itself.
    static func outsideRequestID(header: String?, frontServer: String?, remoteAddress: String?,
                                 trustedProxies: [String]) -> String? {
        if let remoteAddress, trustedProxies.contains(remoteAddress), let id = plainToken(header) { return id }
        return plainToken(frontServer)
    }

    /// The id, when it is a short plain token: it comes from outside, so nothing
    /// else may reach the log line.
    static func plainToken(_ text: String?) -> String? {
        guard let id = text, (8...64).contains(id.utf8.count),
              id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D })
        else { return nil }
        return id
    }

    public func afterResponse() {
        application.maintain()
    }

    public func idle() -> Duration? {
        log.flush()
        return application.prepareForSleep().map { .microseconds($0) }
    }

    public func finish() {
        application.finish()
        log.flush()
    }
}

@available(*, unavailable)
extension ResponderHandler: Sendable {}
