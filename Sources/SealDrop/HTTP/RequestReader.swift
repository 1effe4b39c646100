import FastCGI

/// Turns what the front server passed (CGI parameters and body) into an
/// ``HTTPRequest``, refusing an oversized body from `CONTENT_LENGTH` before
/// reading a byte of it.
struct RequestReader {
    let maxBodyBytes: Int

    /// Headers SealDrop reads, by CGI parameter name. Apache passes
    /// `Authorization` only when told to, and after a rewrite it arrives as
    /// `REDIRECT_HTTP_AUTHORIZATION`.
    private static let headerParameters: [(parameter: String, header: String)] = [
        ("HTTP_AUTHORIZATION", "authorization"),
        ("REDIRECT_HTTP_AUTHORIZATION", "authorization"),
        ("HTTP_ORIGIN", "origin"),
        ("HTTP_HOST", "host"),
        ("HTTP_X_FORWARDED_FOR", "x-forwarded-for"),
        ("HTTP_X_FORWARDED_PROTO", "x-forwarded-proto"),
        ("CONTENT_TYPE", "content-type"),
    ]

    /// Only a preflight needs these; every parameter looked up costs a scan of them all.
    private static let preflightParameters: [(parameter: String, header: String)] = [
        ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "access-control-request-method"),
        ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "access-control-request-headers"),
    ]

    func read(_ exchange: RequestExchange) throws(APIError) -> HTTPRequest {
        let method = exchange.parameter("REQUEST_METHOD")?.uppercased() ?? "GET"
        var headers: [String: String] = [:]
        for (parameter, header) in Self.headerParameters where headers[header] == nil {
            if let value = exchange.parameter(parameter), !value.isEmpty { headers[header] = value }
        }
        if method == "OPTIONS" {
            for (parameter, header) in Self.preflightParameters {
                if let value = exchange.parameter(parameter), !value.isEmpty { headers[header] = value }
            }
        }
        let (path, prefix) = Self.resolvePath(exchange)
        let https = exchange.parameter("HTTPS").map { $0.lowercased() == "on" || $0 == "1" } ?? false
        var request = HTTPRequest(
            method: method,
            path: path, mountPrefix: prefix, headers: headers,
            remoteAddress: exchange.parameter("REMOTE_ADDR") ?? "",
            scheme: https ? "https" : (exchange.parameter("REQUEST_SCHEME") ?? "http"))

        let declared = exchange.parameter("CONTENT_LENGTH") ?? ""
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
    static func resolvePath(_ exchange: RequestExchange) -> (path: String, prefix: String) {
        let uri = exchange.parameter("REQUEST_URI") ?? ""
        let uriPath = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
        var path = exchange.parameter("PATH_INFO") ?? ""
        if path.isEmpty { path = exchange.parameter("DOCUMENT_URI") ?? "" }
        if path.isEmpty { path = uriPath }
        if path.isEmpty { path = exchange.parameter("SCRIPT_NAME") ?? "" }
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
