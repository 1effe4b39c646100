import MariaDB

extension MariaDBStore {
    public func isPermitted(from: String, to: String) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            let rows = try connection.query("""
                SELECT 1 FROM message_requests
                WHERE from_link_token = ? AND to_link_token = ? AND status = 'accepted' LIMIT 1
                """, [.text(from), .text(to)])
            return !rows.isEmpty
        }
    }

    /// A request over the address bound rolls its transaction back, so that the
    /// refused request leaves no count behind.
    private struct AddressBoundReached: Error {}

    public func requestPermission(from: String, to: String, nickname: String,
                                  bounds: PermissionRequestBounds) throws(StoreError) -> PermissionRequestOutcome {
        try session.withConnection { connection -> PermissionRequestOutcome in
            do {
                return try connection.transaction { () throws -> PermissionRequestOutcome in
                    // Both links' rows, in one statement and so in the unique index's
                    // order (two links asking each other at once queue, never deadlock):
                    // the recipient's, so one pair never gets two requests; the
                    // requester's, so its count of open requests holds.
                    _ = try connection.query("SELECT id FROM clients WHERE link_token IN (?, ?) FOR UPDATE",
                                             [.text(from), .text(to)])
                    // Those row locks hold on this node only; these hold across a cluster's nodes.
                    try connection.lockAcrossNodes("message_requests", [from, to], seconds: 60)
                    if let answer = try pairAnswer(from: from, to: to, bounds: bounds, connection: connection) {
                        return answer
                    }
                    if let lapse = try openRequestsAtBound(from: from, bounds: bounds, connection: connection) {
                        return .tooManyFromLink(retryAfter: lapse)
                    }
                    if let address = bounds.address, try Self.countHit(address, on: connection) > address.limit {
                        throw AddressBoundReached()
                    }
                    let result = try connection.run("""
                        INSERT INTO message_requests (from_link_token, to_link_token, from_nickname, status)
                        VALUES (?, ?, ?, 'pending')
                        """, [.text(from), .text(to), .text(nickname)])
                    return .pending(id: Int64(result.lastInsertID))
                }
            } catch is AddressBoundReached {
                return .tooManyFromAddress
            }
        }
    }

    /// What the pair's own rows answer: accepted, the request still pending (asked
    /// again, it costs nothing), or rejected within the wait; nil when none of these.
    private func pairAnswer(from: String, to: String, bounds: PermissionRequestBounds,
                            connection: Connection) throws -> PermissionRequestOutcome? {
        let rows = try connection.query("""
            SELECT id, status, TIMESTAMPDIFF(SECOND, NOW(), updated_at + INTERVAL ? SECOND) AS wait_seconds FROM message_requests
            WHERE from_link_token = ? AND to_link_token = ?
              AND (status = 'accepted'
                   OR (status = 'pending' AND created_at > NOW() - INTERVAL ? SECOND)
                   OR (status = 'rejected' AND updated_at > NOW() - INTERVAL ? SECOND))
            ORDER BY status = 'accepted' DESC, status = 'pending' DESC, id DESC LIMIT 1
            """, [.int(Int64(bounds.rejectionWaitSeconds)), .text(from), .text(to),
                  .int(Int64(bounds.pendingSeconds)), .int(Int64(bounds.rejectionWaitSeconds))])
        guard let row = rows.first else { return nil }
        switch try row.decode("status", as: MessageRequestStatus.self) {
        case .accepted: return .alreadyAccepted
        case .pending: return .pending(id: try row.decode("id"))
        // The row matched on its `updated_at`, so the wait is never NULL.
        case .rejected: return .rejected(retryAfter: max(1, try row.decode("wait_seconds", as: Int.self)))
        }
    }

    /// When the link already has its most requests open (pending, or rejected within
    /// the wait), the seconds until the first of them lapses; else nil.
    private func openRequestsAtBound(from: String, bounds: PermissionRequestBounds,
                                     connection: Connection) throws -> Int? {
        let row = try connection.query("""
            SELECT COUNT(*) AS open_requests, TIMESTAMPDIFF(SECOND, NOW(), MIN(IF(status = 'pending', created_at + INTERVAL ? SECOND,
                                                                           updated_at + INTERVAL ? SECOND))) AS wait_seconds
            FROM message_requests
            WHERE from_link_token = ?
              AND ((status = 'pending' AND created_at > NOW() - INTERVAL ? SECOND)
                   OR (status = 'rejected' AND updated_at > NOW() - INTERVAL ? SECOND))
            """, [.int(Int64(bounds.pendingSeconds)), .int(Int64(bounds.rejectionWaitSeconds)), .text(from),
                  .int(Int64(bounds.pendingSeconds)), .int(Int64(bounds.rejectionWaitSeconds))]).first
        guard let row else { throw StoreError.failed("the count of open requests answered no row") }
        guard try row.decode("open_requests", as: Int.self) >= bounds.maxOpenPerLink else { return nil }
        // At least one row matched on the time the wait is read from, so it is never NULL.
        return max(1, try row.decode("wait_seconds", as: Int.self))
    }

    public func pendingRequests(to: String, beforeID: Int64?, limit: Int,
                                pendingSeconds: Int) throws(StoreError) -> [MessageRequestRecord] {
        try session.withConnection { connection -> [MessageRequestRecord] in
            try connection.query("""
                SELECT id, from_link_token, to_link_token, from_nickname, status, created_at FROM message_requests
                WHERE to_link_token = ? AND status = 'pending' AND id < ? AND created_at > NOW() - INTERVAL ? SECOND
                ORDER BY id DESC LIMIT ?
                """, [.text(to), .int(beforeID ?? Int64.max), .int(Int64(pendingSeconds)), .int(Int64(limit))])
                .map(Self.requestRecord)
        }
    }

    public func messageRequest(id: Int64) throws(StoreError) -> MessageRequestRecord? {
        try session.withConnection { connection -> MessageRequestRecord? in
            try connection.query("""
                SELECT id, from_link_token, to_link_token, from_nickname, status, created_at FROM message_requests
                WHERE id = ?
                """, [.int(id)]).first.map(Self.requestRecord)
        }
    }

    public func answerRequest(id: Int64, with status: MessageRequestStatus) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            // Conditional on 'pending', so two answers racing cannot both win. When it
            // was answered starts a rejection's wait (set here, not left to the
            // column's ON UPDATE, which a table made elsewhere may lack).
            try connection.run("UPDATE message_requests SET status = ?, updated_at = NOW() WHERE id = ? AND status = 'pending'",
                               [.text(status.rawValue), .int(id)]).affectedRows == 1
        }
    }

    /// Deletes a batch of rejected requests whose wait is over and one of pending
    /// requests left unanswered past retention. Accepted ones stay: each is a permission.
    func purgeRequestBatch(_ policy: RetentionPolicy, connection: Connection) throws -> Int {
        let rejected = try connection.run("""
            DELETE FROM message_requests WHERE status = 'rejected' AND updated_at < NOW() - INTERVAL ? SECOND LIMIT ?
            """, [.int(Int64(policy.rejectionWaitSeconds)), .int(Int64(policy.batchSize))])
        let unanswered = try connection.run("""
            DELETE FROM message_requests WHERE status = 'pending' AND created_at < NOW() - INTERVAL ? SECOND LIMIT ?
            """, [.int(Int64(policy.messageSeconds)), .int(Int64(policy.batchSize))])
        return Int(rejected.affectedRows + unanswered.affectedRows)
    }

    private static func requestRecord(_ row: Row) throws -> MessageRequestRecord {
        try MessageRequestRecord(
            id: row.decode("id"), fromLinkToken: row.decode("from_link_token"), toLinkToken: row.decode("to_link_token"),
            fromNickname: row.decode("from_nickname"), status: row.decode("status"), createdAt: row.decode("created_at"))
    }
}

extension MessageRequestStatus: ColumnDecodable {
    /// One of the `status` ENUM's names; anything else (the empty string an invalid
    /// ENUM value becomes, NULL) is not a status.
    public static func decode(_ value: Value) -> MessageRequestStatus? {
        value.string.flatMap(MessageRequestStatus.init(rawValue:))
    }
}
