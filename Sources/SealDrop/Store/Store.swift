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
    /// Adds each fold's hits to its bucket, all in one step; returns every
    /// bucket's new total.
    func foldHits(_ folds: [CounterFold]) throws(StoreError) -> [CounterTotal]
    /// The server-wide secret that keys hashed client addresses, made on first use.
    func rateLimitKey() throws(StoreError) -> [UInt8]
    /// Records a challenge for the link unless it has too many outstanding.
    func issueChallenge(linkToken: String, nonce: String, lifetimeSeconds: Int, maxOutstanding: Int) throws(StoreError) -> ChallengeIssue
    /// Marks the challenge used; true for exactly one caller of a live, unused challenge.
    func consumeChallenge(linkToken: String, nonce: String) throws(StoreError) -> Bool
    /// Consumes the challenge as `consumeChallenge` does and, in the same step, puts
    /// `nextNonce` in its place, expiring when it would have; true for exactly one
    /// caller, and only while at least `seconds` of its lifetime are left.
    func exchangeChallenge(linkToken: String, nonce: String, for nextNonce: String,
                           remainingAtLeast seconds: Int) throws(StoreError) -> Bool
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

    /// Deletes up to `batchSize` each of expired messages, lapsed challenges and
    /// counters, unanswered requests past retention and rejected ones past the wait;
    /// returns how many rows went.
    func purgeExpired(_ policy: RetentionPolicy) throws(StoreError) -> Int
}
