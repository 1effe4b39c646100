/// Which endpoint answers which method and path.
struct Router {
    struct Route {
        let method: String
        /// The path, or for a parameterised route its fixed prefix ending in `/`.
        let pattern: String
        let isPrefix: Bool
        let endpoint: any Endpoint

        /// How the route is named in logs: never the token itself.
        var name: String { isPrefix ? pattern + "{link_token}" : pattern }

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
        Route(method: "GET", pattern: "/health", isPrefix: false, endpoint: HealthEndpoint()),
        Route(method: "POST", pattern: "/register", isPrefix: false, endpoint: RegisterEndpoint()),
        Route(method: "POST", pattern: "/send", isPrefix: false, endpoint: SendEndpoint()),
        Route(method: "POST", pattern: "/challenge_request", isPrefix: false, endpoint: ChallengeRequestEndpoint()),
        Route(method: "POST", pattern: "/fetch", isPrefix: false, endpoint: FetchEndpoint()),
        Route(method: "POST", pattern: "/ack", isPrefix: false, endpoint: AckEndpoint()),
        Route(method: "POST", pattern: "/check_contact", isPrefix: false, endpoint: CheckContactEndpoint()),
        Route(method: "POST", pattern: "/request_message_permission", isPrefix: false, endpoint: RequestMessagePermissionEndpoint()),
        Route(method: "POST", pattern: "/get_message_requests", isPrefix: false, endpoint: GetMessageRequestsEndpoint()),
        Route(method: "POST", pattern: "/respond_message_request", isPrefix: false, endpoint: RespondMessageRequestEndpoint()),
        Route(method: "POST", pattern: "/delete_messages", isPrefix: false, endpoint: DeleteMessagesEndpoint()),
        Route(method: "POST", pattern: "/unregister", isPrefix: false, endpoint: UnregisterEndpoint()),
        Route(method: "POST", pattern: "/rotate_fetch_token", isPrefix: false, endpoint: RotateFetchTokenEndpoint()),
        Route(method: "GET", pattern: LinkInfoEndpoint.prefix, isPrefix: true, endpoint: LinkInfoEndpoint()),
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
