/// One HTTP request as the front server hands it over, and the way back.
///
/// Both transports — FastCGI and plain CGI — look the same to the application,
/// so the router never knows which one is underneath and can be driven by tests
/// and fuzzers through ``BufferedExchange``.
public protocol RequestExchange: AnyObject {
    /// A CGI/FastCGI parameter such as `REQUEST_METHOD` or `HTTP_AUTHORIZATION`.
    func parameter(_ name: String) -> String?
    /// Several parameters at once; see ``ParameterNames``.
    func parameters(_ names: ParameterNames) -> [String?]
    /// Reads exactly `count` body bytes, or fewer when the client sent fewer.
    /// - Returns: nil when the stream failed.
    func readBody(count: Int) -> [UInt8]?
    /// Writes a complete CGI response (status line, headers, blank line, body).
    func write(_ response: [UInt8])
}

/// An exchange held entirely in memory, for tests and fuzzing.
public final class BufferedExchange: RequestExchange {
    public let parameters: [String: String]
    public let body: [UInt8]
    public private(set) var written: [UInt8] = []

    public init(parameters: [String: String], body: [UInt8] = []) {
        self.parameters = parameters
        self.body = body
    }

    public func parameter(_ name: String) -> String? { parameters[name] }

    public func readBody(count: Int) -> [UInt8]? { Array(body.prefix(count)) }

    public func write(_ response: [UInt8]) { written.append(contentsOf: response) }
}
