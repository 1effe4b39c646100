/// What every endpoint is given for one request.
struct EndpointContext {
    let request: HTTPRequest
    let store: Store
    let configuration: Configuration

    var limits: Limits { configuration.limits }

    /// Where the request came from, after trusted proxies.
    var clientAddress: String { ClientAddress.of(request, trustedProxies: configuration.abuse.trustedProxies) }

    func body() throws(APIError) -> RequestBody { try RequestBody(request.body) }

    /// The registered client behind a link token; nil for an unknown link, and for
    /// a token no link can have (never sent to the database).
    func client(_ linkToken: String) throws(StoreError) -> ClientRecord? {
        guard LinkTokenShape.isPlausible(linkToken) else { return nil }
        return try store.client(linkToken: linkToken)
    }

    /// The registered client behind a link token, or 404.
    func requireClient(_ linkToken: String) throws -> ClientRecord {
        guard let client = try client(linkToken) else { throw APIError.unknownLink }
        return client
    }

    /// What proves this request's ownership claims: the store, the request's bearer
    /// token and the challenge lifetime, handed down; it calls nothing up here.
    var authenticator: Authenticator {
        Authenticator(store: store, bearerToken: request.bearerToken,
                      challengeLifetimeSeconds: limits.challengeLifetimeSeconds)
    }
}

extension EndpointContext {
    /// The link named by the body's `link_token`, once the caller has proved
    /// owning it (signed challenge or bearer fetch token); 404 or 401 otherwise.
    func requireOwner(_ body: RequestBody) throws -> OwnedLink {
        try prove(try claimOwnership(body))
    }

    /// The first half of ``requireOwner(_:)``: the link, found (404 otherwise).
    func claimOwnership(_ body: RequestBody) throws -> OwnershipClaim {
        try authenticator.claim(body)
    }

    /// The second half: the claim's proof checked (401 otherwise). With
    /// `chaining`, a challenge proof also yields the challenge to sign next.
    func prove(_ claim: OwnershipClaim, chaining: Bool = false) throws -> OwnedLink {
        try authenticator.prove(claim, chaining: chaining)
    }
}

/// One API operation, in a file of its own.
///
/// It throws what goes wrong, whatever its type: an ``APIError`` for what the
/// client is to be told, a ``StoreError`` from the store as it is. ``Application``
/// turns every error into its response in one place (``APIError/init(_:)``), so
/// no endpoint maps a store failure itself.
protocol Endpoint: Sendable {
    func respond(_ context: EndpointContext) throws -> HTTPResponse
}
