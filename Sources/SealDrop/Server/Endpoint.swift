/// What every endpoint is given for one request.
struct EndpointContext {
    let request: HTTPRequest
    let store: Store
    let configuration: Configuration
    /// This process's flood-limit counts.
    let counters: LocalRateCounters

    var limits: Limits { configuration.limits }

    /// Where the request came from, after trusted proxies, as the flood limits count
    /// it (an IPv6 client by its /64).
    var clientAddress: String {
        ClientAddress.of(request, trustedProxies: configuration.abuse.trustedProxies,
                         ipv6PrefixLength: configuration.abuse.ipv6PrefixLength)
    }

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

    /// What proves this request's ownership claims, handed what it checks against
    /// (the store, the request's bearer token, the challenge lifetime) rather than
    /// this context, so it never calls back into the endpoint's side.
    var authenticator: Authenticator {
        Authenticator(store: store, bearerToken: request.bearerToken,
                      challengeLifetimeSeconds: limits.challengeLifetimeSeconds)
    }
}

extension EndpointContext {
    /// The link named by the body's `link_token`, once the caller has proved
    /// owning it (signed challenge or bearer fetch token), and the endpoint's own
    /// fields, read by `fields` between finding the link and checking the proof:
    /// an unknown link is 404, a bad field 400 and a bad proof 401, in that order,
    /// and a request refused for its fields leaves its challenge unused.
    ///
    /// - Parameter offeringNextChallenge: the endpoint hands a challenge proof the
    ///   next challenge of a chain when the body's `next_challenge` asks for it
    ///   (`/fetch`); the flag is read right after the link is found.
    func requireOwner<Fields>(_ body: RequestBody, offeringNextChallenge: Bool = false,
                              fields: (RequestBody) throws -> Fields) throws -> (owner: OwnedLink, fields: Fields) {
        let authenticator = self.authenticator
        let claim = try authenticator.claim(body)
        let chaining = try offeringNextChallenge ? body.optionalBool("next_challenge") ?? false : false
        let fields = try fields(body)
        return (try authenticator.prove(claim, chaining: chaining), fields)
    }

    /// ``requireOwner(_:offeringNextChallenge:fields:)`` for an endpoint with no fields of its own.
    func requireOwner(_ body: RequestBody) throws -> OwnedLink {
        try requireOwner(body) { _ in () }.owner
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

    /// How a failure of this route is answered: the seed's `{"error": …}` unless
    /// the endpoint answers browsers too.
    func errorResponse(_ error: APIError, for request: HTTPRequest) -> HTTPResponse
}

extension Endpoint {
    func errorResponse(_ error: APIError, for request: HTTPRequest) -> HTTPResponse { error.response() }
}
