extension HTTPResponse {
    /// A JSON object: `members` writes what goes between the braces this writes.
    /// Every answer of the API, errors included, is made this way.
    ///
    /// ```swift
    /// return .json(.created) { json in
    ///     json.field("message", "Message sent successfully")
    ///     json.field("id", id)
    /// }
    /// ```
    ///
    /// - Parameter capacity: bytes to reserve, for answers known to be large.
    public static func json(_ status: HTTPStatus = .ok, capacity: Int = 256,
                            _ members: (inout JSONWriter) -> Void) -> HTTPResponse {
        var json = JSONWriter(capacity: capacity)
        json.beginObject()
        members(&json)
        json.endObject()
        return HTTPResponse(status: status, json: json.bytes)
    }
}
