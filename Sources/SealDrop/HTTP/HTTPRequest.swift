/// A request as SealDrop sees it, independent of the transport (FastCGI, CGI,
/// tests, the fuzzer).
public struct HTTPRequest: Sendable {
    public var method: String
    /// The API path, e.g. `/register`, without any install prefix or query.
    public var path: String
    /// The path prefix the API is installed under (`/drop` on a shared host), or "".
    public var mountPrefix: String
    public var headers: [String: String]
    public var remoteAddress: String
    /// "https" or "http", as the front server saw it.
    public var scheme: String
    public var body: [UInt8]

    public init(method: String, path: String, mountPrefix: String = "", headers: [String: String] = [:],
                remoteAddress: String = "", scheme: String = "http", body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.mountPrefix = mountPrefix
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.scheme = scheme
        self.body = body
    }

    /// A header by its lower-case name.
    public func header(_ lowercasedName: String) -> String? { headers[lowercasedName] }

    /// The token of an `Authorization: Bearer <token>` header, if any.
    public var bearerToken: String? {
        guard let value = headers["authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingSpaces()
    }
}

extension HTTPRequest {
    /// Whether the client asks for a web page before JSON (``AcceptHeader``).
    var prefersHTML: Bool { AcceptHeader(headers["accept"]).prefersHTML }
}
