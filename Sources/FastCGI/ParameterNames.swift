/// CGI parameter names to look up together, in one pass over the request's
/// parameters instead of one pass per name. Made once and reused.
public struct ParameterNames: Sendable {
    public let names: [String]
    let utf8: [[UInt8]]

    public init(_ names: [String]) {
        self.names = names
        self.utf8 = names.map { Array($0.utf8) }
    }
}

extension RequestExchange {
    /// The value of each of `names`, in their order (nil where absent).
    public func parameters(_ names: ParameterNames) -> [String?] {
        names.names.map(parameter)
    }
}
