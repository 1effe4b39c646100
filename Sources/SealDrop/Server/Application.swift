/// Request in, response out: routing, CORS and error mapping, with no
/// transport or thread of its own, so tests and the fuzzer can drive it directly.
public final class Application {
    public let configuration: Configuration
    private let store: Store
    private let cors: CORSPolicy
    private let counters: LocalRateCounters

    /// - Parameter counters: shared by every thread of the process; by default
    ///   every hit is written through (one request per process, and tests).
    public init(configuration: Configuration, store: Store, counters: LocalRateCounters = .writeThrough) {
        self.configuration = configuration
        self.store = store
        self.counters = counters
        self.cors = CORSPolicy(allowedOrigins: configuration.corsOrigins)
    }

    /// The outcome of one request, with what the log needs to know about it.
    public struct Outcome {
        public var response: HTTPResponse
        /// The matched route's name (no token), for the log.
        public var route: String
        /// Internal detail of a 500, for the log only.
        public var logDetail: String?
    }

    public func respond(to request: HTTPRequest) -> Outcome {
        var outcome = route(request)
        cors.apply(to: &outcome.response, request: request)
        if request.method == "HEAD" { outcome.response.body = [] }
        return outcome
    }

    private func route(_ request: HTTPRequest) -> Outcome {
        // A matched route names itself; the others are named from the path.
        var name: String { Router.name(forPath: request.path) }
        if request.method == "OPTIONS" {
            let allowed = Router.allowedMethods(forPath: request.path)
            guard !allowed.isEmpty else { return Outcome(response: APIError.notFound("Not found").response(), route: name) }
            return Outcome(response: cors.preflight(request, allowed: allowed), route: name)
        }
        switch Router.match(method: request.method, path: request.path) {
        case .notFound:
            return Outcome(response: APIError.notFound("Not found").response(), route: name)
        case .wrongMethod(let allowed):
            var response = APIError(.methodNotAllowed, "Method \(request.method) is not allowed here").response()
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
            return Outcome(response: response, route: name)
        case .found(let route):
            let context = EndpointContext(request: request, store: store, configuration: configuration, counters: counters)
            do {
                if route.isLimited { try limitClientAddress(context) }
                return Outcome(response: try route.endpoint.respond(context), route: route.name)
            } catch {
                let failure = APIError(error)
                return Outcome(response: route.endpoint.errorResponse(failure, for: request), route: route.name,
                               logDetail: failure.logDetail)
            }
        }
    }

    private func limitClientAddress(_ context: EndpointContext) throws {
        let abuse = configuration.abuse
        try RateLimiter(store: store, counters: counters).hit(
            scope: "address", key: context.clientAddress, limit: abuse.addressRequestsPerWindow,
            windowSeconds: abuse.addressWindowSeconds, message: "Too many requests from this address")
    }

    /// Folds this process's flood-limit counts into the database when their turn
    /// has come, and purges one batch of expired rows when this process's turn
    /// has come, so retention needs no cron job. Called after a response went out.
    public func maintain() {
        counters.foldIfDue(into: store)
        guard configuration.purgeIntervalSeconds > 0,
              PurgeSchedule.claim(intervalSeconds: configuration.purgeIntervalSeconds) else { return }
        do {
            let removed = try store.purgeExpired(configuration.retention)
            // A full batch means more is waiting: a busy server records used
            // challenges and address counters faster than one batch a minute
            // removes them, so the next turn comes in a second, until it catches up.
            if removed >= configuration.retention.batchSize { PurgeSchedule.comeBack(after: 1) }
        } catch {
            RequestLog.notice("purge failed: \(error)")
        }
    }

    /// Called before a worker sleeps: folds counts left waiting, and says how many
    /// microseconds it may sleep before it should call again (nil: until a request
    /// comes), so a process that goes quiet still hands its counts on.
    public func prepareForSleep() -> Int64? {
        counters.foldBeforeSleeping(into: store)
    }

    /// Called as a worker stops: whatever this process counted goes to the database.
    public func finish() {
        counters.fold(into: store)
    }

    /// Purges until nothing expired is left; returns the rows removed.
    public func purgeAll() throws(StoreError) -> Int {
        var total = 0
        while true {
            let removed = try store.purgeExpired(configuration.retention)
            total += removed
            if removed == 0 { return total }
        }
    }

    /// The response for a request that could not even be read (bad length, oversized body).
    public func respond(toUnreadable error: APIError, method: String) -> HTTPResponse {
        var response = error.response()
        // A HEAD response never has a body, even for a request refused unread.
        if method.uppercased() == "HEAD" { response.body = [] }
        return response
    }
}
