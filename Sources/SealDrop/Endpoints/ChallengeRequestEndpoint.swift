/// `POST /challenge_request`: a one-time challenge the link's owner signs to fetch.
///
/// Issuing writes nothing and holds no per-link count: the challenge carries its
/// own proof of issue (``StatelessChallenge``), so someone else holding the shared
/// link cannot use up the owner's challenges. A known link's key usually comes
/// from the store's cache, so the answer then needs no database round trip; a
/// flood from one address meets that address's request limit (429).
struct ChallengeRequestEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let body = try context.body()
        let linkToken = try body.requireString("link_token")
        guard LinkTokenShape.isPlausible(linkToken), try context.store.signingKey(linkToken: linkToken) != nil else {
            throw APIError.unknownLink
        }
        let challenge = try context.authenticator.issueChallenge(for: linkToken)
        return .json { $0.field("challenge", challenge) }
    }
}
