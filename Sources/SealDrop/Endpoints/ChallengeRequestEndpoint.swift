import Sodium

/// `POST /challenge_request`: a one-time nonce the link's owner signs to fetch.
struct ChallengeRequestEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let body = try context.body()
        let linkToken = try body.requireString("link_token")
        guard LinkTokenShape.isPlausible(linkToken) else { throw APIError.unknownLink }
        let limits = context.limits
        let challenge = Tokens.challenge()
        let outcome = try context.store.issueChallenge(linkToken: linkToken, nonce: challenge,
                                                       lifetimeSeconds: limits.challengeLifetimeSeconds,
                                                       maxOutstanding: limits.maxOutstandingChallenges)
        switch outcome {
        case .unknownLink:
            throw APIError.unknownLink
        case .tooManyOutstanding:
            // Outstanding challenges lapse within their lifetime; a minute is a fair wait.
            throw APIError.tooManyRequests("Too many outstanding challenges",
                                           retryAfter: min(60, limits.challengeLifetimeSeconds))
        case .issued:
            return .json { $0.field("challenge", challenge) }
        }
    }
}
