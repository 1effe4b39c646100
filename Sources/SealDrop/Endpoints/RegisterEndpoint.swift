import Sodium

/// `POST /register`: stores a recipient's Ed25519 key and hands back the
/// public link token and the secret fetch token (kept only as its SHA-256).
struct RegisterEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let body = try context.body()
        let publicKey = try body.requireBase64("public_key")
        guard let keyBytes = Base64.decode(publicKey), Ed25519PublicKey(bytes: keyBytes) != nil else {
            throw APIError.badRequest("Invalid public key format")
        }
        let keyType = try body.optionalString("key_type") ?? "ed25519"
        guard keyType == "ed25519" else { throw APIError.badRequest("key_type must be ed25519") }

        let displayName = try body.optionalString("display_name")
        if let displayName, displayName.unicodeScalars.count > context.limits.maxDisplayNameCharacters {
            throw APIError.tooLarge("display_name too long (max \(context.limits.maxDisplayNameCharacters) characters)")
        }
        let encryptionKey = try body.optionalBase64("encryption_public_key")
        if let encryptionKey {
            guard let bytes = Base64.decode(encryptionKey), X25519PublicKey(bytes: bytes) != nil else {
                throw APIError.badRequest("Invalid encryption_public_key format")
            }
        }

        try RateLimiter(store: context.store, counters: context.counters).hit(
            scope: "register", key: context.clientAddress, limit: context.configuration.abuse.addressRegistrationsPerHour,
            windowSeconds: 3600, message: "Too many registrations from this address")

        let fetchToken = Tokens.fetchToken()
        // A collision of 192-bit tokens is practically impossible; retrying keeps
        // even that case from becoming an error.
        for _ in 0..<3 {
            let linkToken = Tokens.linkToken()
            let client = NewClient(
                linkToken: linkToken, publicKey: publicKey,
                publicKeyHash: SHA256.hexDigest(utf8: publicKey), keyType: keyType,
                displayName: displayName, fetchTokenHash: SHA256.hexDigest(utf8: fetchToken),
                encryptionPublicKey: encryptionKey)
            guard let id = try context.store.insertClient(client) else { continue }
            return .json(.created) { json in
                json.field("message", "Client registered successfully")
                json.field("client_id", id)
                json.field("link", linkBase(context) + "/l/" + linkToken)
                json.field("link_token", linkToken)
                json.field("fetch_token", fetchToken)
                json.field("key_type", keyType)
            }
        }
        throw APIError.internalError("link token collided three times")
    }

    /// `BASE_URL` when configured; else the address the client used, including
    /// the folder SealDrop is installed in on a shared host.
    private func linkBase(_ context: EndpointContext) -> String {
        if let base = context.configuration.baseURL { return base }
        let request = context.request
        let host = request.header("host") ?? "localhost"
        return "\(request.scheme)://\(host)\(request.mountPrefix)"
    }
}
