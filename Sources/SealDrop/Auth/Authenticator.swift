import Sodium

/// Proof that the caller owns a link: a signed one-time challenge, or the
/// link's fetch token as `Authorization: Bearer`.
struct Authenticator {
    let context: EndpointContext

    /// A challenge and its signature, as the body carries them.
    private struct SignedChallenge {
        let challenge: String
        let signature: String
    }

    /// Proves the caller owns `linkToken`, reading only what its proof needs. A
    /// signed challenge needs the link's key, which never changes, so the store
    /// may answer from its cache and the request goes to the database once (for
    /// the challenge) instead of twice; a link gone since is caught there, as
    /// its challenges went with it. Returns the challenge to sign next when the
    /// proof was a challenge and `chaining` asks for one (see ``FetchEndpoint``).
    func authenticateOwner(of linkToken: String, body: RequestBody, chaining: Bool = false) throws(APIError) -> String? {
        guard LinkTokenShape.isPlausible(linkToken) else { throw APIError.unknownLink }
        if let signed = try signedChallenge(in: body) {
            let key = try database { () throws(StoreError) in try context.store.signingKey(linkToken: linkToken) }
            guard let key else { throw APIError.unknownLink }
            return try verify(signed, key: key, linkToken: linkToken, chaining: chaining)
        }
        try checkFetchToken(of: context.requireClient(linkToken))
        return nil
    }

    /// Proves the caller owns `client`, a record already read (a sender proving
    /// its own link).
    func authenticate(_ client: ClientRecord, body: RequestBody) throws(APIError) {
        if let signed = try signedChallenge(in: body) {
            _ = try verify(signed, key: client.publicKey, linkToken: client.linkToken, chaining: false)
        } else {
            try checkFetchToken(of: client)
        }
    }

    private func signedChallenge(in body: RequestBody) throws(APIError) -> SignedChallenge? {
        let challenge = try body.optionalString("challenge")
        let signature = try body.optionalString("challenge_signature")
        guard let challenge, let signature else { return nil }
        return SignedChallenge(challenge: challenge, signature: signature)
    }

    private func checkFetchToken(of client: ClientRecord) throws(APIError) {
        guard let token = context.request.bearerToken else {
            throw APIError.unauthorized("Authentication required (challenge_signature or Authorization header)")
        }
        // Both sides are 64-character hex digests, compared in constant time.
        guard ConstantTime.equal(SHA256.hexDigest(utf8: token), client.fetchTokenHash.lowercased()) else {
            throw APIError.unauthorized("Invalid fetch_token")
        }
    }

    /// Checks the signature before consuming the challenge, so a forged
    /// signature cannot burn a challenge its owner is about to use; the consume
    /// itself is one atomic statement, so of concurrent replays exactly one passes.
    /// With `chaining`, the challenge's row takes a fresh nonce instead of being
    /// deleted, in one statement, so the next request needs no `/challenge_request`
    /// of its own and the link's outstanding count is unchanged. The new nonce
    /// keeps the old one's expiry (extending it would rewrite two indexes per
    /// fetch), so a chain ends within one challenge lifetime: a challenge with
    /// less than a fifth of it left is consumed as usual and gets no successor.
    private func verify(_ signed: SignedChallenge, key: String, linkToken: String,
                        chaining: Bool) throws(APIError) -> String? {
        let challenge = signed.challenge
        // Keys are curve-checked at registration; verification refuses small-order ones itself.
        guard let signatureBytes = Base64.decode(signed.signature), let keyBytes = Base64.decode(key),
              Ed25519PublicKey.isValidSignature(signatureBytes, for: Array(challenge.utf8), byValidatedKey: keyBytes) else {
            throw APIError.unauthorized("Invalid signature")
        }
        guard challenge.utf8.count <= 255 else { throw APIError.unauthorized("Invalid or expired challenge") }
        var next = chaining ? Tokens.challenge() : nil
        let consumed = try database { () throws(StoreError) in
            if let successor = next {
                let remaining = context.limits.challengeLifetimeSeconds / 5
                if try context.store.exchangeChallenge(linkToken: linkToken, nonce: challenge, for: successor,
                                                       remainingAtLeast: remaining) {
                    return true
                }
                next = nil
            }
            return try context.store.consumeChallenge(linkToken: linkToken, nonce: challenge)
        }
        guard consumed else { throw APIError.unauthorized("Invalid or expired challenge") }
        return next
    }
}
