/// What every endpoint is given for one request.
struct EndpointContext {
    let request: HTTPRequest
    let store: Store
    let configuration: Configuration

    var limits: Limits { configuration.limits }

    /// Where the request came from, after trusted proxies, as the flood limits count
    /// it (an IPv6 client by its /64).
    var clientAddress: String {
        ClientAddress.of(request, trustedProxies: configuration.abuse.trustedProxies,
                         ipv6PrefixLength: configuration.abuse.ipv6PrefixLength)
    }

    func body() throws(APIError) -> RequestBody { try RequestBody(request.body) }

    /// The registered client behind a link token, or 404.
    func requireClient(_ linkToken: String) throws(APIError) -> ClientRecord {
        guard LinkTokenShape.isPlausible(linkToken) else { throw APIError.unknownLink }
        guard let client = try database({ () throws(StoreError) in try store.client(linkToken: linkToken) }) else {
            throw APIError.unknownLink
        }
        return client
    }
}

extension EndpointContext {
    /// The link named by the body's `link_token`, once the caller has proved
    /// owning it (signed challenge or bearer fetch token); 404 or 401 otherwise.
    func requireOwner(_ body: RequestBody) throws(APIError) -> OwnedLink {
        try prove(try claimOwnership(body))
    }

    /// The first half of ``requireOwner(_:)``: the link, found (404 otherwise).
    func claimOwnership(_ body: RequestBody) throws(APIError) -> OwnershipClaim {
        try Authenticator(context: self).claim(body)
    }

    /// The second half: the claim's proof checked (401 otherwise). With
    /// `chaining`, a challenge proof also yields the challenge to sign next.
    func prove(_ claim: OwnershipClaim, chaining: Bool = false) throws(APIError) -> OwnedLink {
        try Authenticator(context: self).prove(claim, chaining: chaining)
    }
}

/// One API operation, in a file of its own.
protocol Endpoint: Sendable {
    func respond(_ context: EndpointContext) throws(APIError) -> HTTPResponse

    /// How a failure of this route is answered: the seed's `{"error": …}` unless
    /// the endpoint answers browsers too.
    func errorResponse(_ error: APIError, for request: HTTPRequest) -> HTTPResponse
}

extension Endpoint {
    func errorResponse(_ error: APIError, for request: HTTPRequest) -> HTTPResponse { error.response() }
}

/// Runs a store call, turning its failure into what the client is told:
/// 503 for an unreachable database, a detail-free 500 for anything else.
func database<T>(_ body: () throws(StoreError) -> T) throws(APIError) -> T {
    do throws(StoreError) {
        return try body()
    } catch {
        switch error {
        case .unavailable: throw APIError.databaseUnavailable
        case .failed(let detail): throw APIError.internalError(detail)
        }
    }
}
