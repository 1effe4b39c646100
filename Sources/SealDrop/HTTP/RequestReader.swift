import FastCGI

/// Turns what the front server passed (CGI parameters and body) into an
/// ``HTTPRequest``, refusing an oversized body from `CONTENT_LENGTH` before
/// reading a byte of it.
struct RequestReader {
    let maxBodyBytes: Int

    /// Every CGI parameter a request is read from, fetched together in one pass.
    enum Parameter: Int, CaseIterable {
        case method, authorization, redirectedAuthorization, origin, host, forwardedFor, forwardedProto, contentType, accept
        case preflightMethod, preflightHeaders
        case requestURI, pathInfo, documentURI, scriptName, https, remoteAddress, scheme, contentLength
        case frontRequestID, forwardedRequestID

        var name: String {
            switch self {
            case .method: "REQUEST_METHOD"
            case .authorization: "HTTP_AUTHORIZATION"
            // Apache passes `Authorization` only when told to, and after a rewrite
            // it arrives under this name.
            case .redirectedAuthorization: "REDIRECT_HTTP_AUTHORIZATION"
            case .origin: "HTTP_ORIGIN"
            case .host: "HTTP_HOST"
            case .forwardedFor: "HTTP_X_FORWARDED_FOR"
            case .forwardedProto: "HTTP_X_FORWARDED_PROTO"
            case .contentType: "CONTENT_TYPE"
            case .accept: "HTTP_ACCEPT"
            case .preflightMethod: "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
            case .preflightHeaders: "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"
            case .requestURI: "REQUEST_URI"
            case .pathInfo: "PATH_INFO"
            case .documentURI: "DOCUMENT_URI"
            case .scriptName: "SCRIPT_NAME"
            case .https: "HTTPS"
            case .remoteAddress: "REMOTE_ADDR"
            case .scheme: "REQUEST_SCHEME"
            case .contentLength: "CONTENT_LENGTH"
            // The front server's own id for the request (nginx's `$request_id`, as the
            // shipped configs pass it): a parameter no client can set.
            case .frontRequestID: "REQUEST_ID"
            // A client's `X-Request-ID` header, or a trusted proxy's.
            case .forwardedRequestID: "HTTP_X_REQUEST_ID"
            }
        }

        static let names = ParameterNames(allCases.map(\.name))
    }

    /// The values of all of ``Parameter`` for one request.
    struct Parameters {
        private let values: [String?]

        init(_ exchange: RequestExchange) {
            values = exchange.parameters(Parameter.names)
        }

        subscript(_ parameter: Parameter) -> String? { values[parameter.rawValue] }
    }

    /// The headers SealDrop reads, in order of preference for each header name.
    private static let headerParameters: [(parameter: Parameter, header: String)] = [
        (.authorization, "authorization"),
        (.redirectedAuthorization, "authorization"),
        (.origin, "origin"),
        (.host, "host"),
        (.forwardedFor, "x-forwarded-for"),
        (.forwardedProto, "x-forwarded-proto"),
        (.contentType, "content-type"),
        // Content negotiation of `GET /l/{link_token}`: a browser gets the sender page.
        (.accept, "accept"),
    ]

    /// Only a preflight needs these.
    private static let preflightParameters: [(parameter: Parameter, header: String)] = [
        (.preflightMethod, "access-control-request-method"),
        (.preflightHeaders, "access-control-request-headers"),
    ]

    func read(_ exchange: RequestExchange, parameters: Parameters) throws(APIError) -> HTTPRequest {
        let method = parameters[.method]?.uppercased() ?? "GET"
        var headers: [String: String] = [:]
        for (parameter, header) in Self.headerParameters where headers[header] == nil {
            if let value = parameters[parameter], !value.isEmpty { headers[header] = value }
        }
        if method == "OPTIONS" {
            for (parameter, header) in Self.preflightParameters {
                if let value = parameters[parameter], !value.isEmpty { headers[header] = value }
            }
        }
        let (path, prefix) = Self.resolvePath(parameters)
        let https = parameters[.https].map { $0.lowercased() == "on" || $0 == "1" } ?? false
        var request = HTTPRequest(
            method: method,
            path: path, mountPrefix: prefix, headers: headers,
            remoteAddress: parameters[.remoteAddress] ?? "",
            scheme: https ? "https" : (parameters[.scheme] ?? "http"))

        let declared = parameters[.contentLength] ?? ""
        guard !declared.isEmpty else { return request }
        guard let length = Int(declared), length >= 0 else {
            throw APIError.badRequest("Content-Length is not a valid number")
        }
        guard length <= maxBodyBytes else {
            throw APIError.tooLarge("Request body too large (max \(maxBodyBytes / 1024)KB)")
        }
        guard let body = exchange.readBody(count: length), body.count == length else {
            throw APIError.badRequest("Request body ended early")
        }
        request.body = body
        return request
    }

    /// The API path and the prefix the API is mounted under. Apache with a
    /// rewrite to the `.fcgi` file puts the API path in `PATH_INFO`; nginx leaves
    /// it in `DOCUMENT_URI`/`REQUEST_URI`. The prefix is what the original URI
    /// has in front of the API path (`/drop` for `https://host/drop/register`).
    static func resolvePath(_ parameters: Parameters) -> (path: String, prefix: String) {
        let uri = parameters[.requestURI] ?? ""
        let uriPath = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
        var path = parameters[.pathInfo] ?? ""
        if path.isEmpty { path = parameters[.documentURI] ?? "" }
        if path.isEmpty { path = uriPath }
        if path.isEmpty { path = parameters[.scriptName] ?? "" }
        if path.isEmpty || path.first != "/" { path = "/" + path }
        var prefix = ""
        // Byte counts: `count` would walk both strings by grapheme.
        let extra = uriPath.utf8.count - path.utf8.count
        if extra > 0, uriPath.utf8.suffix(path.utf8.count).elementsEqual(path.utf8) {
            prefix = String(decoding: uriPath.utf8.prefix(extra), as: UTF8.self)
        }
        return (path, prefix)
    }
}
