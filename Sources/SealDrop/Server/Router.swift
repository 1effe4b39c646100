/// Which endpoint answers which method and path.
struct Router {
    struct Route {
        let method: String
        /// The path, or for a parameterised route its fixed prefix ending in `/`.
        let pattern: String
        /// The name of a parameterised route's last path segment; nil for a fixed path.
        let parameter: String?
        let endpoint: any Endpoint
        /// Whether the per-address flood limit counts the route (a database write):
        /// not for health checks, nor for the page's files, which need no database.
        let isLimited: Bool

        init(method: String, pattern: String, parameter: String? = nil, endpoint: any Endpoint, isLimited: Bool = true) {
            self.method = method
            self.pattern = pattern
            self.parameter = parameter
            self.endpoint = endpoint
            self.isLimited = isLimited
        }

        var isPrefix: Bool { parameter != nil }

        /// How the route is named in logs: never the token itself.
        var name: String { parameter.map { pattern + "{\($0)}" } ?? pattern }

        func matches(_ path: String) -> Bool {
            isPrefix ? (path.hasPrefix(pattern) && path.count > pattern.count && !path.dropFirst(pattern.count).contains("/"))
                     : path == pattern
        }
    }

    enum Match {
        case found(Route)
        /// The path exists, but not for this method.
        case wrongMethod(allowed: [String])
        case notFound
    }

    static let routes: [Route] = [
        Route(method: "GET", pattern: "/health", endpoint: HealthEndpoint(), isLimited: false),
        Route(method: "POST", pattern: "/register", endpoint: RegisterEndpoint()),
        Route(method: "POST", pattern: "/send", endpoint: SendEndpoint()),
        Route(method: "POST", pattern: "/challenge_request", endpoint: ChallengeRequestEndpoint()),
        Route(method: "POST", pattern: "/fetch", endpoint: FetchEndpoint()),
        Route(method: "POST", pattern: "/ack", endpoint: AckEndpoint()),
        Route(method: "POST", pattern: "/check_contact", endpoint: CheckContactEndpoint()),
        Route(method: "POST", pattern: "/request_message_permission", endpoint: RequestMessagePermissionEndpoint()),
        Route(method: "POST", pattern: "/get_message_requests", endpoint: GetMessageRequestsEndpoint()),
        Route(method: "POST", pattern: "/respond_message_request", endpoint: RespondMessageRequestEndpoint()),
        Route(method: "POST", pattern: "/delete_messages", endpoint: DeleteMessagesEndpoint()),
        Route(method: "POST", pattern: "/unregister", endpoint: UnregisterEndpoint()),
        Route(method: "POST", pattern: "/rotate_fetch_token", endpoint: RotateFetchTokenEndpoint()),
        Route(method: "GET", pattern: LinkInfoEndpoint.prefix, parameter: "link_token", endpoint: LinkInfoEndpoint()),
        Route(method: "GET", pattern: AssetEndpoint.prefix, parameter: "name", endpoint: AssetEndpoint(), isLimited: false),
    ]

    static func match(method: String, path: String) -> Match {
        // HEAD is answered as GET, as Flask does.
        let effective = method == "HEAD" ? "GET" : method
        for route in routes where route.method == effective && route.matches(path) { return .found(route) }
        let candidates = routes(forPath: path)
        if candidates.isEmpty { return .notFound }
        return .wrongMethod(allowed: allowedMethods(of: candidates))
    }

    /// The methods a path answers to, as an `Allow` header lists them (GET brings
    /// HEAD; OPTIONS always); empty when no route has the path.
    static func allowedMethods(forPath path: String) -> [String] {
        allowedMethods(of: routes(forPath: path))
    }

    private static func allowedMethods(of candidates: [Route]) -> [String] {
        guard !candidates.isEmpty else { return [] }
        var methods = candidates.map(\.method)
        if methods.contains("GET") { methods.append("HEAD") }
        return methods + ["OPTIONS"]
    }

    private static func routes(forPath path: String) -> [Route] {
        routes.filter { $0.matches(path) }
    }

    /// A route's name for the log, also for paths that matched nothing.
    static func name(forPath path: String) -> String {
        routes.first { $0.isPrefix ? path.hasPrefix($0.pattern) : path == $0.pattern }?.name ?? "(unmatched)"
    }
}
