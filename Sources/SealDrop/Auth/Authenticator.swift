import Sodium

/// Proof that the caller owns a link: a signed one-time challenge, or the
/// link's fetch token as `Authorization: Bearer`.
struct Authenticator {
    let context: EndpointContext

    func authenticate(_ client: ClientRecord, body: RequestBody) throws(APIError) {
        let challenge = try body.optionalString("challenge")
        let signature = try body.optionalString("challenge_signature")
        if let challenge, let signature {
            try verifyChallenge(challenge, signature: signature, client: client)
        } else if let token = context.request.bearerToken {
            // Both sides are 64-character hex digests, compared in constant time.
            guard ConstantTime.equal(SHA256.hexDigest(utf8: token), client.fetchTokenHash.lowercased()) else {
                throw APIError.unauthorized("Invalid fetch_token")
            }
        } else {
            throw APIError.unauthorized("Authentication required (challenge_signature or Authorization header)")
        }
    }

    /// Checks the signature before consuming the challenge, so a forged
    /// signature cannot burn a challenge its owner is about to use; the consume
    /// itself is one atomic UPDATE, so of concurrent replays exactly one passes.
    private func verifyChallenge(_ challenge: String, signature: String, client: ClientRecord) throws(APIError) {
        // Keys are curve-checked at registration; verification refuses small-order ones itself.
        guard let signatureBytes = Base64.decode(signature), let keyBytes = Base64.decode(client.publicKey),
              Ed25519PublicKey.isValidSignature(signatureBytes, for: Array(challenge.utf8), byValidatedKey: keyBytes) else {
            throw APIError.unauthorized("Invalid signature")
        }
        guard challenge.utf8.count <= 255 else { throw APIError.unauthorized("Invalid or expired challenge") }
        let consumed = try database { () throws(StoreError) in
            try context.store.consumeChallenge(linkToken: client.linkToken, nonce: challenge)
        }
        guard consumed else { throw APIError.unauthorized("Invalid or expired challenge") }
    }
}
