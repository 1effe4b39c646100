/// A registered recipient.
public struct ClientRecord: Sendable {
    public var id: Int64
    public var linkToken: String
    /// Base64 of the Ed25519 key, as registered.
    public var publicKey: String
    public var displayName: String?
    /// Lowercase hex SHA-256 of the fetch token.
    public var fetchTokenHash: String
    /// Base64 X25519 key given at registration, if any.
    public var encryptionPublicKey: String?
    public var createdAt: Timestamp?
}

/// What `/register` stores.
public struct NewClient: Sendable {
    public var linkToken: String
    public var publicKey: String
    public var publicKeyHash: String
    public var keyType: String
    public var displayName: String?
    public var fetchTokenHash: String
    public var encryptionPublicKey: String?
}

/// A sealed message waiting for its recipient.
public struct StoredMessage: Sendable {
    public var id: Int64
    /// Base64 text, as sent.
    public var encryptedMessage: String
    public var createdAt: Timestamp?
    public var seen: Bool
    /// JSON text, or nil.
    public var metadataJSON: String?
}

/// Which messages `/fetch` wants.
public struct MessageQuery: Sendable {
    public var includeSeen = false
    public var limit = 50
    /// Only messages with a smaller id (paging back).
    public var beforeID: Int64?
    /// Only messages with a larger id (polling for new ones).
    public var sinceID: Int64?
    /// Oldest first instead of newest first.
    public var ascending = false
}

/// What `/send` stores.
public struct NewMessage: Sendable {
    public var linkToken: String
    public var encryptedMessage: String
    public var metadataJSON: String?

    /// What the message takes in the database and counts against its mailbox's
    /// byte cap: the ciphertext's base64 and the metadata's JSON text, as stored.
    public var storedBytes: Int { encryptedMessage.utf8.count + (metadataJSON?.utf8.count ?? 0) }
}

/// Per-link flood limits, checked inside the insert itself.
public struct MailboxLimits: Sendable {
    public var maxUnseenMessages: Int
    public var maxUnseenBytes: Int
    /// 0: no rate limit.
    public var sendsPerWindow: Int
    public var windowSeconds: Int
}

public enum SendOutcome: Sendable, Equatable {
    case stored(id: Int64)
    case unknownLink
    case mailboxFull
    case rateLimited
}

/// A request to be allowed to send from one link to another.
public struct MessageRequestRecord: Sendable {
    public var id: Int64
    public var fromLinkToken: String
    public var toLinkToken: String
    public var fromNickname: String
    public var status: MessageRequestStatus
    public var createdAt: Timestamp?
}

public enum MessageRequestStatus: String, Sendable {
    case pending, accepted, rejected
}

/// What asking for permission did.
public enum PermissionRequestOutcome: Sendable, Equatable {
    case alreadyAccepted
    /// A pending request, new or the one already waiting.
    case pending(id: Int64)
    /// The recipient rejected this link's request less than the rejection wait ago;
    /// it may ask again in `retryAfter` seconds. Nothing was stored.
    case rejected(retryAfter: Int)
    /// The requesting link has its most requests open (pending, or rejected within
    /// the wait); the first of them lapses in `retryAfter` seconds. Nothing was stored.
    case tooManyFromLink(retryAfter: Int)
    /// The requesting address made its most new requests in the window. Nothing was
    /// stored or counted.
    case tooManyFromAddress
}

/// What one requester may add to `message_requests`, checked as a request is stored.
/// Asking again while a request is pending adds nothing and is never refused.
public struct PermissionRequestBounds: Sendable {
    /// Requests one link may have open at once: pending, or rejected within the wait.
    public var maxOpenPerLink: Int
    /// How long a rejected link waits before it may ask the same recipient again.
    public var rejectionWaitSeconds: Int
    /// How long a request stays pending unanswered before it lapses.
    public var pendingSeconds: Int
    /// The counter of new requests from the requester's address; nil counts none.
    public var address: RateBucket?
}

/// One counter of a fixed-window rate limit: a keyed hash (never the address or
/// link itself) and the window it counts in.
public struct RateBucket: Sendable {
    public var name: String
    public var windowStart: Int64
    public var windowSeconds: Int
    /// Hits allowed in the window.
    public var limit: Int

    /// Seconds until the window ends, at least 1: what `Retry-After` says.
    public func secondsLeft(now: Int64 = Int64(Timestamp.secondsSince1970())) -> Int {
        max(1, Int(windowStart + Int64(windowSeconds) - now))
    }
}

/// Hits one process counted on a bucket since its last fold.
public struct CounterFold: Sendable {
    /// The bucket's keyed hash, as ``RateBucket/name``.
    public var bucket: String
    public var windowStart: Int64
    /// When the row may go: the window's end.
    public var expiresAt: Int64
    public var hits: Int
}

/// A bucket's total over every process, as a fold read it back.
public struct CounterTotal: Sendable {
    public var bucket: String
    public var windowStart: Int64
    public var hits: Int
}

/// How long messages and permission requests are kept.
public struct RetentionPolicy: Sendable {
    /// Unseen messages, and permission requests left unanswered.
    public var messageSeconds: Int
    public var seenMessageSeconds: Int
    /// The rejection wait: a rejected request is kept (and refuses its link asking
    /// the same recipient again) this long after it was rejected.
    public var rejectionWaitSeconds: Int
    public var batchSize: Int
    /// How long a used challenge's nonce is kept past the challenge's expiry: a
    /// challenge lifetime, so hosts whose clocks differ by less still refuse a replay.
    public var usedChallengeGraceSeconds = 300
}
