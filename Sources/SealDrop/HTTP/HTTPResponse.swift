/// A response on its way to the front server.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: [(String, String)]
    public var body: [UInt8]

    /// A JSON response with the headers every SealDrop response carries.
    public init(status: HTTPStatus, json: [UInt8]) {
        self.status = status
        self.headers = [("Content-Type", "application/json")] + Self.commonHeaders
        self.body = json
    }

    /// A response of another type (the sender page and its files). `cacheControl`
    /// replaces the `no-store` of API answers: the page's files have names that
    /// change with their content, so they may be kept for good.
    public init(status: HTTPStatus, contentType: String, body: [UInt8], cacheControl: String = "no-store") {
        self.status = status
        self.headers = [("Content-Type", contentType), ("Cache-Control", cacheControl), ("X-Content-Type-Options", "nosniff")]
        self.body = body
    }

    /// A response without a body (CORS preflight).
    public init(status: HTTPStatus) {
        self.status = status
        self.headers = Self.commonHeaders
        self.body = []
    }

    static let commonHeaders = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0.lowercased() == lower }?.1
    }

    /// The CGI form: a `Status:` line, headers, a blank line, the body.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 256)
        // Appended piece by piece: no string is built for a line.
        func header(_ name: String, _ value: String) {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        header("Status", status.line)
        for (name, value) in headers { header(name, value) }
        header("Content-Length", String(body.count))
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: body)
        return out
    }
}
