/// An error meant for the client: a status and one human sentence, sent as the
/// seed's `{"error": "..."}`. Anything else thrown by a handler becomes one by
/// ``init(_:)``: 503 for an unreachable database, else a 500 whose detail goes
/// only to the log.
public struct APIError: Error, Sendable, Equatable {
    public let status: HTTPStatus
    public let message: String
    /// Extra response headers, such as `Retry-After`.
    public var headers: [(String, String)] = []
    /// Extra body fields, such as `action_required`.
    public var fields: [(String, String)] = []
    /// What went wrong inside, for the log only (never sent, never a secret).
    public var logDetail: String?

    public init(_ status: HTTPStatus, _ message: String,
                headers: [(String, String)] = [], fields: [(String, String)] = []) {
        self.status = status
        self.message = message
        self.headers = headers
        self.fields = fields
    }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.message == rhs.message
            && lhs.headers.elementsEqual(rhs.headers, by: ==) && lhs.fields.elementsEqual(rhs.fields, by: ==)
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func tooLarge(_ message: String) -> APIError { APIError(.contentTooLarge, message) }

    public static let unknownLink = APIError(.notFound, "Invalid link_token")

    public static func tooManyRequests(_ message: String, retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, message, headers: [("Retry-After", String(seconds))])
    }

    /// A 500 whose `detail` is logged, never sent.
    public static func internalError(_ detail: String) -> APIError {
        var error = APIError(.internalServerError, "Internal server error")
        error.logDetail = detail
        return error
    }

    public static let databaseUnavailable = APIError(
        .serviceUnavailable, "The database is unavailable; try again shortly",
        headers: [("Retry-After", "5")])

    public func response() -> HTTPResponse {
        var response = HTTPResponse.json(status) { json in
            json.field("error", message)
            for (key, value) in fields { json.field(key, value) }
        }
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension APIError {
    /// What the client is told for any error thrown while answering a request: the
    /// one place errors become responses, as Hummingbird's `RouterResponder` catches
    /// every error in one place. An ``APIError`` stays as it is; an unreachable
    /// database is a 503 with `Retry-After`; anything else is a 500 whose detail
    /// goes to the log only.
    public init(_ error: any Error) {
        switch error {
        case let error as APIError: self = error
        case StoreError.unavailable: self = .databaseUnavailable
        case StoreError.failed(let detail): self = .internalError(detail)
        default: self = .internalError(String(describing: error))
        }
    }
}
