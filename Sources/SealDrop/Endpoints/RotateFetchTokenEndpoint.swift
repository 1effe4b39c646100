import Sodium

/// `POST /rotate_fetch_token`: a new fetch token; the old one stops working at once.
struct RotateFetchTokenEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let owner = try context.requireOwner(context.body())
        let token = Tokens.fetchToken()
        let replaced = try context.store.replaceFetchTokenHash(linkToken: owner.linkToken, hash: SHA256.hexDigest(utf8: token))
        guard replaced else { throw APIError.unknownLink }
        return .json { json in
            json.field("message", "Fetch token rotated")
            json.field("fetch_token", token)
        }
    }
}
