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
    /// proof also yields a new challenge to sign next (see ``FetchEndpoint``).
    func prove(_ claim: OwnershipClaim, chaining: Bool) throws -> OwnedLink {
        switch claim.evidence {
        case .record(let client):
            try checkFetchToken(of: client)
            return OwnedLink(linkToken: claim.linkToken, nextChallenge: nil)
        case .signedChallenge(let challenge, let signature, let key):
            switch try verify(challenge, signature: signature, key: key, linkToken: claim.linkToken) {
            case .passed:
                // A successor costs nothing to issue, so it gets a full lifetime of its own.
                let next = chaining ? try issueChallenge(for: claim.linkToken) : nil
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

    /// A new challenge for `linkToken`, valid for the challenge lifetime: MAC'd
    /// under the server's `challenge_key`, so nothing is written and only the
    /// key's first read in this process goes to the database.
    func issueChallenge(for linkToken: String) throws(StoreError) -> String {
        StatelessChallenge.issue(for: linkToken, key: try store.serverSecret(named: StatelessChallenge.keyName),
                                 now: Self.now(), lifetimeSeconds: challengeLifetimeSeconds)
    }

    /// Checks the signature before anything else, so a forged signature cannot
    /// burn a challenge its owner is about to use. A challenge in the `sd1.`
    /// format (``StatelessChallenge``) is then checked against its MAC (which
    /// binds it to the link) and its expiry on this host's clock, and its nonce
    /// recorded with one insert, which checks the expiry again on the database's
    /// clock: of concurrent replays, through any node, exactly one inserts it. Any other challenge was
    /// issued as a row before 0.11 and is consumed as one.
    private func verify(_ challenge: String, signature: String, key: String,
                        linkToken: String) throws(StoreError) -> ChallengeCheck {
        // Keys are curve-checked at registration; verification refuses small-order ones itself.
        guard let signatureBytes = Base64.decode(signature), let keyBytes = Base64.decode(key),
              Ed25519PublicKey.isValidSignature(signatureBytes, for: Array(challenge.utf8), byValidatedKey: keyBytes) else {
            return .refused("Invalid signature")
        }
        let invalid = ChallengeCheck.refused("Invalid or expired challenge")
        guard StatelessChallenge.isStateless(challenge) else {
            guard challenge.utf8.count <= 255, try store.consumeChallenge(linkToken: linkToken, nonce: challenge) else {
                return invalid
            }
            return .passed
        }
        let secret = try store.serverSecret(named: StatelessChallenge.keyName)
        guard let parsed = StatelessChallenge.verified(challenge, linkToken: linkToken, key: secret),
              parsed.expiry > Self.now() else { return invalid }
        guard try store.recordChallengeUse(nonce: parsed.nonce, linkToken: linkToken, expiry: parsed.expiry) else {
            return invalid
        }
        return .passed
    }

    /// Seconds since 1970 on this host's clock.
    private static func now() -> UInt64 { UInt64(max(0, Timestamp.secondsSince1970())) }

    /// What a challenge proof came to.
    private enum ChallengeCheck {
        /// Valid, and now used.
        case passed
        /// Not valid: the sentence of the 401.
        case refused(String)
    }
}
