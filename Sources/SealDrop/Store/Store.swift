/// Everything the endpoints need from storage. The only implementation talks
/// to MariaDB; the fuzzer and handler tests may substitute their own.
public protocol Store: AnyObject {
    /// Confirms the database answers.
    func checkHealth() throws(StoreError)
    /// Stores a new client, returning its id; nil when the link token is taken.
    func insertClient(_ client: NewClient) throws(StoreError) -> Int64?
    func client(linkToken: String) throws(StoreError) -> ClientRecord?
    /// The link's Ed25519 key (base64, as registered), or nil for an unknown link.
    /// A link's key never changes, so the answer may come from a cache of the
    /// last minute: a link removed since may still be answered for.
    func signingKey(linkToken: String) throws(StoreError) -> String?
    /// Stores a message for the link unless the link is unknown, its mailbox
    /// full, or its send rate reached.
    func insertMessage(_ message: NewMessage, limits: MailboxLimits) throws(StoreError) -> SendOutcome
    /// Counts one hit on a rate-limit bucket in its window; returns the hits so far,
    /// this one included.
    func countHit(_ bucket: RateBucket) throws(StoreError) -> Int
    /// Adds each fold's hits to its bucket and returns every bucket's new total,
    /// read in the same statement (statements of a few hundred buckets, each
    /// committed on its own).
    func foldHits(_ folds: [CounterFold]) throws(StoreError) -> [CounterTotal]
    /// The server-wide secret named `name` (32 random bytes in `sealdrop_settings`),
    /// made by whoever asks first and the same for every responder on every host;
    /// kept in the process once read.
    func serverSecret(named name: String) throws(StoreError) -> [UInt8]
    /// Marks an older, row-kept challenge used; true for exactly one caller of a
    /// live, unused challenge. (Challenges issued now carry their own proof of
    /// issue and are recorded with ``recordChallengeUse(nonce:linkToken:expiry:)``.)
    func consumeChallenge(linkToken: String, nonce: String) throws(StoreError) -> Bool
    /// Records the nonce of a MAC'd challenge of `linkToken` that expires at
    /// `expiry` (seconds since 1970) as used, kept a challenge lifetime past it;
    /// true for exactly one caller per challenge, however many race, through any
    /// node, and only while the link exists.
    func recordChallengeUse(nonce: [UInt8], linkToken: String, expiry: UInt64) throws(StoreError) -> Bool
    func messages(linkToken: String, query: MessageQuery) throws(StoreError) -> [StoredMessage]
    /// Marks the link's messages among `ids` seen; returns how many changed.
    func markSeen(linkToken: String, ids: [Int64]) throws(StoreError) -> Int
    /// Deletes the link's messages among `ids`; returns how many.
    func deleteMessages(linkToken: String, ids: [Int64]) throws(StoreError) -> Int
    /// Removes the link and everything kept for it; false when it did not exist.
    func deleteClient(linkToken: String) throws(StoreError) -> Bool
    /// Replaces the stored fetch-token hash; false when the link does not exist.
    func replaceFetchTokenHash(linkToken: String, hash: String) throws(StoreError) -> Bool

    /// Whether `from` may send to `to` with its identity attached.
    func isPermitted(from: String, to: String) throws(StoreError) -> Bool
    /// Stores a pending request from `from` to `to`, unless the pair has one open or
    /// accepted already, or `bounds` refuse it.
    func requestPermission(from: String, to: String, nickname: String,
                           bounds: PermissionRequestBounds) throws(StoreError) -> PermissionRequestOutcome
    /// Up to `limit` requests to `to` pending for less than `pendingSeconds`, newest
    /// first, with ids below `beforeID` when given.
    func pendingRequests(to: String, beforeID: Int64?, limit: Int, pendingSeconds: Int) throws(StoreError) -> [MessageRequestRecord]
    func messageRequest(id: Int64) throws(StoreError) -> MessageRequestRecord?
    /// Answers a pending request; false when it was no longer pending.
    func answerRequest(id: Int64, with status: MessageRequestStatus) throws(StoreError) -> Bool

    /// Deletes up to `batchSize` each of expired messages, lapsed challenges, used
    /// challenge nonces past their keeping and counters, unanswered requests past
    /// retention and rejected ones past the wait; returns how many rows went.
    func purgeExpired(_ policy: RetentionPolicy) throws(StoreError) -> Int
}

extension Store {
    /// The secret that keys hashed client addresses.
    func rateLimitKey() throws(StoreError) -> [UInt8] { try serverSecret(named: "rate_limit_key") }
}
