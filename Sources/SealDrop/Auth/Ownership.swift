/// A link a request names as its caller's, found but not yet proved owned. An
/// endpoint with fields of its own checks them between finding the link and
/// checking the proof, so an unknown link is 404, a bad field 400 and a bad
/// proof 401, in that order, and a request refused for its fields leaves its
/// challenge unused.
struct OwnershipClaim {
    enum Evidence {
        /// A challenge and its signature, with the link's key (perhaps cached).
        case signedChallenge(challenge: String, signature: String, key: String)
        /// No challenge: the link's row, for its fetch token.
        case record(ClientRecord)
    }

    let linkToken: String
    let evidence: Evidence
}

/// A link its caller has proved owning.
struct OwnedLink {
    let linkToken: String
    /// Given only to a challenge proof that asked for one.
    let nextChallenge: String?
}
