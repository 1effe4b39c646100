/// `POST /request_message_permission`: a link asks another for leave to send
/// with its identity attached. Link tokens are public, so the request must
/// carry proof for `from_link_token`, the way `/fetch` does.
///
/// What one requester can add to the recipient's list is bounded, so that a
/// stranger cannot bury real requests: a rejected link waits (the rejection wait)
/// before asking that recipient again; a link has at most so many requests open;
/// an address makes at most so many new ones a day. Over a bound: 429 with
/// `Retry-After`, and nothing stored. Asking again while pending is always free.
struct RequestMessagePermissionEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let body = try context.body()
        let fromToken = try body.requireString("from_link_token")
        let toToken = try body.requireString("to_link_token")
        let nickname = try body.optionalString("from_nickname") ?? "Anonymous"
        guard nickname.unicodeScalars.count <= context.limits.maxDisplayNameCharacters else {
            throw APIError.tooLarge("from_nickname too long (max \(context.limits.maxDisplayNameCharacters) characters)")
        }
        guard fromToken != toToken else { throw APIError.badRequest("from_link_token and to_link_token must differ") }
        guard let sender = try context.client(fromToken) else { throw APIError.notFound("Invalid from_link_token") }
        guard let recipient = try context.client(toToken) else { throw APIError.notFound("Invalid to_link_token") }
        // Proof last: a request refused for its recipient leaves its challenge unused.
        try context.authenticator.authenticate(sender, body: body)

        let configuration = context.configuration
        let bounds = PermissionRequestBounds(
            maxOpenPerLink: configuration.abuse.linkOpenRequests,
            rejectionWaitSeconds: configuration.retention.rejectionWaitSeconds,
            pendingSeconds: configuration.retention.messageSeconds,
            address: try RateLimiter(store: context.store).bucket(
                scope: "permission", key: context.clientAddress,
                limit: configuration.abuse.addressPermissionRequestsPerDay, windowSeconds: 86_400)?.bucket)
        let outcome = try context.store.requestPermission(from: sender.linkToken, to: recipient.linkToken,
                                                          nickname: nickname, bounds: bounds)
        switch outcome {
        case .alreadyAccepted:
            return .json { json in
                json.field("message", "Permission already granted")
                json.field("status", "accepted")
            }
        case .pending(let id):
            return .json(.created) { json in
                json.field("message", "Message request sent successfully")
                json.field("request_id", id)
                json.field("status", "pending")
            }
        case .rejected(let wait):
            throw APIError.tooManyRequests("The recipient declined this link's request; ask again after the wait",
                                           retryAfter: wait)
        case .tooManyFromLink(let wait):
            throw APIError.tooManyRequests("This link has too many requests waiting for an answer", retryAfter: wait)
        case .tooManyFromAddress:
            throw APIError.tooManyRequests("Too many permission requests from this address",
                                           retryAfter: bounds.address?.secondsLeft() ?? 60)
        }
    }
}
