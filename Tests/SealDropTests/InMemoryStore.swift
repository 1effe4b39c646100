@testable import SealDrop

/// A ``Store`` kept in memory, replacing MariaDB at the store boundary only, so
/// handler tests can run without a socket. The live suite covers the real store.
final class InMemoryStore: Store {
    var clients: [String: ClientRecord] = [:]
    var messages: [(link: String, message: StoredMessage)] = []
    var challenges: [(link: String, nonce: String, used: Bool)] = []
    var available = true
    private var nextID: Int64 = 1

    private func checkAvailable() throws(StoreError) {
        if !available { throw StoreError.unavailable }
    }

    func checkHealth() throws(StoreError) { try checkAvailable() }

    func insertClient(_ client: NewClient) throws(StoreError) -> Int64? {
        try checkAvailable()
        guard clients[client.linkToken] == nil else { return nil }
        defer { nextID += 1 }
        clients[client.linkToken] = ClientRecord(
            id: nextID, linkToken: client.linkToken, publicKey: client.publicKey, displayName: client.displayName,
            fetchTokenHash: client.fetchTokenHash, encryptionPublicKey: client.encryptionPublicKey,
            createdAt: Timestamp.now())
        return nextID
    }

    func client(linkToken: String) throws(StoreError) -> ClientRecord? {
        try checkAvailable()
        return clients[linkToken]
    }

    func insertMessage(_ message: NewMessage, limits: MailboxLimits) throws(StoreError) -> SendOutcome {
        try checkAvailable()
        guard clients[message.linkToken] != nil else { return .unknownLink }
        let unseen = messages.filter { $0.link == message.linkToken && !$0.message.seen }
        if unseen.count >= limits.maxUnseenMessages { return .mailboxFull }
        defer { nextID += 1 }
        messages.append((message.linkToken, StoredMessage(id: nextID, encryptedMessage: message.encryptedMessage,
                                                          createdAt: Timestamp.now(), seen: false,
                                                          metadataJSON: message.metadataJSON)))
        return .stored(id: nextID)
    }

    var counters: [String: Int] = [:]

    func countHit(_ bucket: RateBucket) throws(StoreError) -> Int {
        try checkAvailable()
        counters["\(bucket.name)@\(bucket.windowStart)", default: 0] += 1
        return counters["\(bucket.name)@\(bucket.windowStart)"]!
    }

    func foldHits(_ folds: [CounterFold]) throws(StoreError) -> [CounterTotal] {
        try checkAvailable()
        return folds.map { fold in
            let key = "\(fold.bucket)@\(fold.windowStart)"
            counters[key, default: 0] += fold.hits
            return CounterTotal(bucket: fold.bucket, windowStart: fold.windowStart, hits: counters[key]!)
        }
    }

    func serverSecret(named name: String) throws(StoreError) -> [UInt8] {
        try checkAvailable()
        return Array(repeating: UInt8(name.utf8.count), count: 32)
    }

    func signingKey(linkToken: String) throws(StoreError) -> String? {
        try client(linkToken: linkToken)?.publicKey
    }

    func consumeChallenge(linkToken: String, nonce: String) throws(StoreError) -> Bool {
        try checkAvailable()
        guard let index = challenges.firstIndex(where: { $0.link == linkToken && $0.nonce == nonce && !$0.used }) else { return false }
        challenges[index].used = true
        return true
    }

    var usedNonces: Set<[UInt8]> = []

    func recordChallengeUse(nonce: [UInt8], linkToken: String, expiry: UInt64) throws(StoreError) -> Bool {
        try checkAvailable()
        guard clients[linkToken] != nil else { return false }
        return usedNonces.insert(nonce).inserted
    }

    func messages(linkToken: String, query: MessageQuery) throws(StoreError) -> [StoredMessage] {
        try checkAvailable()
        return messages.filter { $0.link == linkToken && (query.includeSeen || !$0.message.seen)
                                 && $0.message.id < (query.beforeID ?? Int64.max) && $0.message.id > (query.sinceID ?? 0) }
            .map(\.message).sorted { query.ascending ? $0.id < $1.id : $0.id > $1.id }.prefix(query.limit).map { $0 }
    }

    var requests: [MessageRequestRecord] = []

    func deleteMessages(linkToken: String, ids: [Int64]) throws(StoreError) -> Int {
        try checkAvailable()
        let before = messages.count
        messages.removeAll { $0.link == linkToken && ids.contains($0.message.id) }
        return before - messages.count
    }

    func deleteClient(linkToken: String) throws(StoreError) -> Bool {
        try checkAvailable()
        guard clients.removeValue(forKey: linkToken) != nil else { return false }
        messages.removeAll { $0.link == linkToken }
        challenges.removeAll { $0.link == linkToken }
        requests.removeAll { $0.fromLinkToken == linkToken || $0.toLinkToken == linkToken }
        return true
    }

    func replaceFetchTokenHash(linkToken: String, hash: String) throws(StoreError) -> Bool {
        try checkAvailable()
        guard clients[linkToken] != nil else { return false }
        clients[linkToken]?.fetchTokenHash = hash
        return true
    }

    func isPermitted(from: String, to: String) throws(StoreError) -> Bool {
        try checkAvailable()
        return requests.contains { $0.fromLinkToken == from && $0.toLinkToken == to && $0.status == .accepted }
    }

    /// The bounds without time: a rejection waits for ever, nothing lapses.
    func requestPermission(from: String, to: String, nickname: String,
                           bounds: PermissionRequestBounds) throws(StoreError) -> PermissionRequestOutcome {
        if try isPermitted(from: from, to: to) { return .alreadyAccepted }
        let pair = requests.filter { $0.fromLinkToken == from && $0.toLinkToken == to }
        if let pending = pair.first(where: { $0.status == .pending }) { return .pending(id: pending.id) }
        if pair.contains(where: { $0.status == .rejected }) { return .rejected(retryAfter: bounds.rejectionWaitSeconds) }
        if requests.filter({ $0.fromLinkToken == from && $0.status != .accepted }).count >= bounds.maxOpenPerLink {
            return .tooManyFromLink(retryAfter: bounds.pendingSeconds)
        }
        if let address = bounds.address, try countHit(address) > address.limit { return .tooManyFromAddress }
        defer { nextID += 1 }
        requests.append(MessageRequestRecord(id: nextID, fromLinkToken: from, toLinkToken: to, fromNickname: nickname,
                                             status: .pending, createdAt: Timestamp.now()))
        return .pending(id: nextID)
    }

    func pendingRequests(to: String, beforeID: Int64?, limit: Int,
                         pendingSeconds: Int) throws(StoreError) -> [MessageRequestRecord] {
        try checkAvailable()
        return Array(requests.filter { $0.toLinkToken == to && $0.status == .pending && $0.id < (beforeID ?? Int64.max) }
            .sorted { $0.id > $1.id }.prefix(limit))
    }

    func messageRequest(id: Int64) throws(StoreError) -> MessageRequestRecord? {
        try checkAvailable()
        return requests.first { $0.id == id }
    }

    func answerRequest(id: Int64, with status: MessageRequestStatus) throws(StoreError) -> Bool {
        try checkAvailable()
        guard let index = requests.firstIndex(where: { $0.id == id && $0.status == .pending }) else { return false }
        requests[index].status = status
        return true
    }

    func purgeExpired(_ policy: RetentionPolicy) throws(StoreError) -> Int {
        try checkAvailable()
        return 0
    }

    func markSeen(linkToken: String, ids: [Int64]) throws(StoreError) -> Int {
        try checkAvailable()
        var count = 0
        for index in messages.indices where messages[index].link == linkToken && ids.contains(messages[index].message.id)
            && !messages[index].message.seen {
            messages[index].message.seen = true
            count += 1
        }
        return count
    }
}
