import Sodium

/// Proof that the caller owns a link: a signed one-time challenge, or the
/// link's fetch token as `Authorization: Bearer`.
///
/// It is handed what it checks against and calls only down, into the store and
/// Sodium: an endpoint asks, and it answers or throws.
struct Authenticator {
    let store: Store
    /// The request's `Authorization: Bearer` token, if any.
    let bearerToken: String?
    let challengeLifetimeSeconds: Int

    /// Finds the link the body names, reading only what its proof needs: 404 when
    /// unknown. A signed challenge needs only the link's key, which never changes,
    /// so the store may answer from its cache and a signed request goes to the
    /// database once fewer.
    func claim(_ body: RequestBody) throws -> OwnershipClaim {
        let linkToken = try body.requireString("link_token")
        guard LinkTokenShape.isPlausible(linkToken) else { throw APIError.unknownLink }
        if let (challenge, signature) = try Self.signedChallenge(in: body) {
            guard let key = try store.signingKey(linkToken: linkToken) else { throw APIError.unknownLink }
            return OwnershipClaim(linkToken: linkToken,
                                  evidence: .signedChallenge(challenge: challenge, signature: signature, key: key))
        }
        guard let client = try store.client(linkToken: linkToken) else { throw APIError.unknownLink }
        return OwnershipClaim(linkToken: linkToken, evidence: .record(client))
    }

    /// Checks the claim's proof: 401 unless it holds. With `chaining`, a challenge
    /// proof also yields the challenge to sign next (see ``FetchEndpoint``).
    func prove(_ claim: OwnershipClaim, chaining: Bool) throws -> OwnedLink {
        switch claim.evidence {
        case .record(let client):
            try checkFetchToken(of: client)
            return OwnedLink(linkToken: claim.linkToken, nextChallenge: nil)
        case .signedChallenge(let challenge, let signature, let key):
            switch try verify(challenge, signature: signature, key: key, linkToken: claim.linkToken, chaining: chaining) {
            case .passed(let next):
                return OwnedLink(linkToken: claim.linkToken, nextChallenge: next)
            case .refused(let reason):
                // The key may have come from the cache after the link was removed
                // (its challenges went with it): such a link answers 404, as it
                // would have without the cache.
                guard try store.client(linkToken: claim.linkToken) != nil else { throw APIError.unknownLink }
                throw APIError.unauthorized(reason)
            }
        }
    }

    /// Proves the caller owns `client`, a record already read (a sender proving
    /// its own link).
    func authenticate(_ client: ClientRecord, body: RequestBody) throws {
        let evidence: OwnershipClaim.Evidence
        if let (challenge, signature) = try Self.signedChallenge(in: body) {
            evidence = .signedChallenge(challenge: challenge, signature: signature, key: client.publicKey)
        } else {
            evidence = .record(client)
        }
        _ = try prove(OwnershipClaim(linkToken: client.linkToken, evidence: evidence), chaining: false)
    }

    /// The body's `challenge` and `challenge_signature`, when it carries both.
    static func signedChallenge(in body: RequestBody) throws(APIError) -> (challenge: String, signature: String)? {
        let challenge = try body.optionalString("challenge")
        let signature = try body.optionalBase64("challenge_signature")
        guard let challenge, let signature else { return nil }
        return (challenge, signature)
    }

    private func checkFetchToken(of client: ClientRecord) throws(APIError) {
        guard let token = bearerToken else {
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
    private func verify(_ challenge: String, signature: String, key: String, linkToken: String,
                        chaining: Bool) throws(StoreError) -> ChallengeCheck {
        // Keys are curve-checked at registration; verification refuses small-order ones itself.
        guard let signatureBytes = Base64.decode(signature), let keyBytes = Base64.decode(key),
              Ed25519PublicKey.isValidSignature(signatureBytes, for: Array(challenge.utf8), byValidatedKey: keyBytes) else {
            return .refused("Invalid signature")
        }
        guard challenge.utf8.count <= 255 else { return .refused("Invalid or expired challenge") }
        if chaining {
            let successor = Tokens.challenge()
            if try store.exchangeChallenge(linkToken: linkToken, nonce: challenge, for: successor,
                                           remainingAtLeast: challengeLifetimeSeconds / 5) {
                return .passed(next: successor)
            }
        }
        guard try store.consumeChallenge(linkToken: linkToken, nonce: challenge) else {
            return .refused("Invalid or expired challenge")
        }
        return .passed(next: nil)
    }

    /// What a challenge proof came to.
    private enum ChallengeCheck {
        /// Valid, and consumed; with the challenge to sign next when one was asked for.
        case passed(next: String?)
        /// Not valid: the sentence of the 401.
        case refused(String)
    }
}
