import MariaDB

extension MariaDBStore {
    public func insertMessage(_ message: NewMessage, limits: MailboxLimits) throws(StoreError) -> SendOutcome {
        try session.withConnection { connection -> SendOutcome in
            // One round trip in the common case: the insert itself proves the link
            // exists and checks its mailbox and send rate. FOR UPDATE locks the
            // link's row until commit, so a link's messages get their ids in commit
            // order and a poller reading `since_id` can never skip one.
            let size = Int64(message.encryptedMessage.utf8.count)
            // The mailbox check reads at most `maxUnseenMessages` index entries
            // (link_token, seen, size): past that many the mailbox is full anyway,
            // and below it the byte sum is exact.
            let result = try connection.run("""
                INSERT INTO messages (link_token, encrypted_message, metadata, size)
                SELECT c.link_token, ?, ?, ? FROM clients c
                WHERE c.link_token = ? AND BINARY c.link_token = ?
                  AND (SELECT COUNT(*) < ? AND COALESCE(SUM(u.size), 0) + ? <= ?
                       FROM (SELECT size FROM messages WHERE link_token = ? AND seen = FALSE LIMIT ?) AS u)
                  AND (? = 0 OR (SELECT COUNT(*) FROM messages
                                 WHERE link_token = ? AND created_at > NOW() - INTERVAL ? SECOND) < ?)
                FOR UPDATE
                """, [.text(message.encryptedMessage), message.metadataJSON.map(Value.text) ?? .null, .int(size),
                      .text(message.linkToken), .text(message.linkToken),
                      .int(Int64(limits.maxUnseenMessages)), .int(size), .int(Int64(limits.maxUnseenBytes)),
                      .text(message.linkToken), .int(Int64(limits.maxUnseenMessages)),
                      .int(Int64(limits.sendsPerWindow)), .text(message.linkToken), .int(Int64(limits.windowSeconds)),
                      .int(Int64(limits.sendsPerWindow))])
            if result.affectedRows == 1 { return .stored(id: Int64(result.lastInsertID)) }
            return try refusal(for: message.linkToken, size: size, limits: limits, connection: connection)
        }
    }

    /// Why an insert stored nothing; only asked on that rare path.
    private func refusal(for linkToken: String, size: Int64, limits: MailboxLimits, connection: Connection) throws -> SendOutcome {
        let rows = try connection.query("""
            SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE link_token = ? AND seen = FALSE LIMIT ?) AS u),
                   (SELECT COALESCE(SUM(u.size), 0)
                    FROM (SELECT size FROM messages WHERE link_token = ? AND seen = FALSE LIMIT ?) AS u)
            FROM clients c WHERE c.link_token = ? AND BINARY c.link_token = ?
            """, [.text(linkToken), .int(Int64(limits.maxUnseenMessages)), .text(linkToken), .int(Int64(limits.maxUnseenMessages)),
                  .text(linkToken), .text(linkToken)])
        guard let row = rows.first else { return .unknownLink }
        let unseen = row[0].int64 ?? 0, bytes = row[1].int64 ?? 0
        if unseen >= Int64(limits.maxUnseenMessages) || bytes + size > Int64(limits.maxUnseenBytes) { return .mailboxFull }
        return .rateLimited
    }

    public func messages(linkToken: String, query: MessageQuery) throws(StoreError) -> [StoredMessage] {
        try session.withConnection { connection -> [StoredMessage] in
            let order = query.ascending ? "ASC" : "DESC"
            let rows = try connection.query("""
                SELECT id, encrypted_message, created_at, seen, metadata FROM messages
                WHERE link_token = ? AND (? OR seen = FALSE) AND id < ? AND id > ?
                ORDER BY id \(order) LIMIT ?
                """, [.text(linkToken), .int(query.includeSeen ? 1 : 0), .int(query.beforeID ?? Int64.max),
                      .int(query.sinceID ?? 0), .int(Int64(query.limit))])
            return rows.map { row in
                StoredMessage(id: row[0].int64 ?? 0, encryptedMessage: row[1].string ?? "",
                              createdAt: row[2].timestamp, seen: (row[3].int64 ?? 0) != 0,
                              metadataJSON: row[4].string)
            }
        }
    }

    public func markSeen(linkToken: String, ids: [Int64]) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try session.withConnection { connection -> Int in
            // The ids travel as one JSON array, so one prepared statement serves any count.
            let result = try connection.run("""
                UPDATE messages m
                JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS wanted ON m.id = wanted.id
                SET m.seen = TRUE
                WHERE m.link_token = ? AND m.seen = FALSE
                """, [.text(Self.jsonList(ids)), .text(linkToken)])
            return Int(result.affectedRows)
        }
    }

    public func deleteMessages(linkToken: String, ids: [Int64]) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try session.withConnection { connection -> Int in
            let result = try connection.run("""
                DELETE m FROM messages m
                JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS wanted ON m.id = wanted.id
                WHERE m.link_token = ?
                """, [.text(Self.jsonList(ids)), .text(linkToken)])
            return Int(result.affectedRows)
        }
    }

    public func purgeExpired(_ policy: RetentionPolicy) throws(StoreError) -> Int {
        try session.withConnection { connection -> Int in
            // Small batches keep each statement short, so purging never holds
            // locks long enough to slow a request.
            let messages = try connection.run("""
                DELETE FROM messages
                WHERE created_at < NOW() - INTERVAL ? SECOND
                   OR (seen = TRUE AND created_at < NOW() - INTERVAL ? SECOND)
                LIMIT ?
                """, [.int(Int64(policy.messageSeconds)), .int(Int64(policy.seenMessageSeconds)), .int(Int64(policy.batchSize))])
            let challenges = try connection.run(
                "DELETE FROM challenges WHERE expires_at <= NOW() OR used = TRUE LIMIT ?", [.int(Int64(policy.batchSize))])
            let counters = try connection.run(
                "DELETE FROM rate_counters WHERE expires_at <= NOW() LIMIT ?", [.int(Int64(policy.batchSize))])
            return Int(messages.affectedRows + challenges.affectedRows + counters.affectedRows)
        }
    }

    static func jsonList(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}
