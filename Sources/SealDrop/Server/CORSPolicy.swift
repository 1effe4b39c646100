/// Cross-origin rules as the original server had them through Flask-CORS's
/// defaults: any origin, any method, the requested headers reflected; the
/// allowed origins can be narrowed by configuration.
struct CORSPolicy {
    let allowedOrigins: [String]

    static let allowedMethods = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, or nil.
    func allowOrigin(for origin: String?) -> String? {
        guard let origin else { return nil }
        if allowedOrigins.contains("*") { return "*" }
        return allowedOrigins.contains(origin) ? origin : nil
    }

    func apply(to response: inout HTTPResponse, request: HTTPRequest) {
        guard let allowed = allowOrigin(for: request.header("origin")) else { return }
        response.headers.append(("Access-Control-Allow-Origin", allowed))
        if allowed != "*" { response.headers.append(("Vary", "Origin")) }
    }

    /// The answer to a preflight `OPTIONS` request for an existing route.
    func preflight(_ request: HTTPRequest, allowed: [String]) -> HTTPResponse {
        var response = HTTPResponse(status: .noContent)
        response.headers.append(("Allow", allowed.joined(separator: ", ")))
        if allowOrigin(for: request.header("origin")) != nil, request.header("access-control-request-method") != nil {
            response.headers.append(("Access-Control-Allow-Methods", Self.allowedMethods))
            if let requested = request.header("access-control-request-headers") {
                response.headers.append(("Access-Control-Allow-Headers", requested))
            }
        }
        return response
    }
}
