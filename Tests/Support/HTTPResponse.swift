import Foundation

/// One parsed HTTP/1.1 response, as read off the socket.
public struct HTTPResponse: Sendable {
    /// Status code from the status line (`HTTP/1.1 201 Created` → 201).
    public let status: Int
    /// Header fields in wire order; names as sent. Use `header(_:)` to look one up.
    public let headers: [(name: String, value: String)]
    /// The body after de-chunking.
    public let body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body decoded as UTF-8 (lossy), for messages.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, or nil when it is not JSON.
    public var json: JSON? { JSON(parsing: body) }

    /// The `error` sentence of an error body, when there is one.
    public var errorMessage: String? { json?["error"]?.string }

    /// True when `Content-Type` is `application/json` (parameters such as charset allowed).
    public var isJSON: Bool {
        guard let type = header("Content-Type") else { return false }
        let media = type.split(separator: ";", maxSplits: 1)[0]
        return media.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}

extension HTTPResponse: CustomStringConvertible {
    /// Status and a bounded excerpt of the body, for failure messages.
    public var description: String {
        let excerpt = text.count > 400 ? String(text.prefix(400)) + "…" : text
        return "HTTP \(status) \(excerpt)"
    }
}
