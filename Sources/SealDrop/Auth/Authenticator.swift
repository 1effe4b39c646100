import Sodium

/// Proof that the caller owns a link: a signed one-time challenge, or the
/// link's fetch token as `Authorization: Bearer`.
struct Authenticator {
    let context: EndpointContext

    /// Returns the challenge to sign next when the proof was a challenge and
    /// `chaining` asks for one (see ``FetchEndpoint``), else nil.
    @discardableResult
    func authenticate(_ client: ClientRecord, body: RequestBody, chaining: Bool = false) throws(APIError) -> String? {
        let challenge = try body.optionalString("challenge")
        let signature = try body.optionalString("challenge_signature")
        if let challenge, let signature {
            return try verifyChallenge(challenge, signature: signature, client: client, chaining: chaining)
        } else if let token = context.request.bearerToken {
            // Both sides are 64-character hex digests, compared in constant time.
            guard ConstantTime.equal(SHA256.hexDigest(utf8: token), client.fetchTokenHash.lowercased()) else {
                throw APIError.unauthorized("Invalid fetch_token")
            }
        } else {
            throw APIError.unauthorized("Authentication required (challenge_signature or Authorization header)")
        }
        return nil
    }

    /// Checks the signature before consuming the challenge, so a forged
    /// signature cannot burn a challenge its owner is about to use; the consume
    /// itself is one atomic UPDATE, so of concurrent replays exactly one passes.
    /// With `chaining`, the challenge's row takes a fresh nonce instead of being
    /// deleted, in the same single statement, so the next request needs no
    /// `/challenge_request` of its own and the link's outstanding count is unchanged.
    private func verifyChallenge(_ challenge: String, signature: String, client: ClientRecord,
                                 chaining: Bool) throws(APIError) -> String? {
        // Keys are curve-checked at registration; verification refuses small-order ones itself.
        guard let signatureBytes = Base64.decode(signature), let keyBytes = Base64.decode(client.publicKey),
              Ed25519PublicKey.isValidSignature(signatureBytes, for: Array(challenge.utf8), byValidatedKey: keyBytes) else {
            throw APIError.unauthorized("Invalid signature")
        }
        guard challenge.utf8.count <= 255 else { throw APIError.unauthorized("Invalid or expired challenge") }
        let next = chaining ? Tokens.challenge() : nil
        let consumed = try database { () throws(StoreError) in
            if let next {
                return try context.store.exchangeChallenge(linkToken: client.linkToken, nonce: challenge, for: next,
                                                           lifetimeSeconds: context.limits.challengeLifetimeSeconds)
            }
            return try context.store.consumeChallenge(linkToken: client.linkToken, nonce: challenge)
        }
        guard consumed else { throw APIError.unauthorized("Invalid or expired challenge") }
        return next
    }
}
