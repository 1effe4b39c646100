import MariaDB

extension MariaDBStore {
    public func insertMessage(_ message: NewMessage, limits: MailboxLimits) throws(StoreError) -> SendOutcome {
        try session.withConnection { connection -> SendOutcome in
            // The mailbox and send-rate counters live on the link's row, so the check
            // costs the same for an empty mailbox and a full one. Counting and storing
            // are one transaction, and the link's row stays locked until it commits,
            // so a link's messages get their ids in commit order and a poller reading
            // `since_id` can never skip one.
            let first = try send(message, limits: limits, connection: connection)
            guard first == .mailboxFull, recounts.shouldRecount(message.linkToken) else { return first }
            // A writer that bypasses the counters (the original server, a hand-made
            // fix) could leave a mailbox looking fuller than it is; a full one is
            // recounted (at most once a minute per link and worker: a flood at a
            // full mailbox must not buy a scan of it per request) and tried again.
            try recountMailbox(message.linkToken, connection: connection)
            return try send(message, limits: limits, connection: connection)
        }
    }

    private func send(_ message: NewMessage, limits: MailboxLimits, connection: Connection) throws -> SendOutcome {
        let size = Int64(message.storedBytes)
        let rate = limits.sendsPerWindow > 0 ? Double(limits.sendsPerWindow) / Double(max(1, limits.windowSeconds)) : 0
        if sendRoutine.isAvailable {
            do {
                // One round trip (Routines.send), answering one row: the new id, or 0.
                let rows = try connection.query("CALL sealdrop_send(?, ?, ?, ?, ?, ?, ?, ?)", [
                    .text(message.linkToken), .text(message.encryptedMessage), message.metadataJSON.map(Value.text) ?? .null,
                    .int(size), .int(Int64(limits.maxUnseenMessages)), .int(Int64(limits.maxUnseenBytes)),
                    .int(Int64(limits.sendsPerWindow)), .double(rate)])
                guard let row = rows.first else { throw StoreError.failed("sealdrop_send answered no row") }
                let id = try row.decode("v_id", as: Int64.self)
                if id > 0 { return .stored(id: id) }
                return try refusal(for: message.linkToken, size: size, limits: limits, connection: connection)
            } catch let error as MariaDBError where RoutineAvailability.isMissing(error) {
                sendRoutine.markMissing()
            }
        }
        // The same work without the procedure: four round trips.
        let reserve = MailboxSQL.reserve(
            link: .value(.text(message.linkToken)), size: .value(.int(size)),
            maxMessages: .value(.int(Int64(limits.maxUnseenMessages))), maxBytes: .value(.int(Int64(limits.maxUnseenBytes))),
            sendsLimit: .value(.int(Int64(limits.sendsPerWindow))), sendsRate: .value(.double(rate)))
        let stored = try connection.transaction { () throws -> SendOutcome? in
            let reserved = try connection.run(reserve.text, reserve.values)
            guard reserved.affectedRows == 1 else { return nil }
            let result = try connection.run("""
                INSERT INTO messages (link_token, encrypted_message, metadata, size) VALUES (?, ?, ?, ?)
                """, [.text(message.linkToken), .text(message.encryptedMessage),
                      message.metadataJSON.map(Value.text) ?? .null, .int(size)])
            return .stored(id: Int64(result.lastInsertID))
        }
        if let stored { return stored }
        return try refusal(for: message.linkToken, size: size, limits: limits, connection: connection)
    }

    /// Why a reservation was refused; only asked on that rare path.
    private func refusal(for linkToken: String, size: Int64, limits: MailboxLimits, connection: Connection) throws -> SendOutcome {
        let rows = try connection.query("""
            SELECT unseen_messages, unseen_bytes FROM clients WHERE link_token = ?
            """, [.text(linkToken)])
        guard let row = rows.first else { return .unknownLink }
        let unseen = try row.decode("unseen_messages", as: Int64.self), bytes = try row.decode("unseen_bytes", as: Int64.self)
        if unseen >= Int64(limits.maxUnseenMessages) || bytes + size > Int64(limits.maxUnseenBytes) { return .mailboxFull }
        return .rateLimited
    }

    /// Sets a link's mailbox counters from its messages. The link's row is locked
    /// first, so no send is half-way (counted but not stored) while they are counted.
    private func recountMailbox(_ linkToken: String, connection: Connection) throws {
        try connection.transaction {
            _ = try connection.query("SELECT 1 FROM clients WHERE link_token = ? FOR UPDATE", [.text(linkToken)])
            _ = try connection.run("""
                UPDATE clients c
                JOIN (SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM messages
                      WHERE link_token = ? AND seen = FALSE) AS u
                SET c.unseen_messages = u.n, c.unseen_bytes = u.bytes
                WHERE c.link_token = ?
                """, [.text(linkToken), .text(linkToken)])
        }
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
            return try rows.map { row in
                // `seen` may be NULL (its column has only a default); a NULL is not seen.
                try StoredMessage(id: row.decode("id"), encryptedMessage: row.decode("encrypted_message"),
                                  createdAt: row.decode("created_at"), seen: row.decode("seen", as: Bool?.self) ?? false,
                                  metadataJSON: row.decode("metadata"))
            }
        }
    }

    public func markSeen(linkToken: String, ids: [Int64]) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try session.withConnection { connection -> Int in
            try connection.transaction { () throws -> Int in
                let (count, bytes) = try lockMailbox(linkToken, unseenAmong: ids, connection: connection)
                guard count > 0 else { return 0 }
                // The ids travel as one JSON array, so one prepared statement serves any count.
                let result = try connection.run("""
                    UPDATE messages m
                    JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS wanted ON m.id = wanted.id
                    SET m.seen = TRUE
                    WHERE m.link_token = ? AND m.seen = FALSE
                    """, [.text(Self.jsonList(ids)), .text(linkToken)])
                try uncount(count, bytes: bytes, from: linkToken, connection: connection)
                return Int(result.affectedRows)
            }
        }
    }

    public func deleteMessages(linkToken: String, ids: [Int64]) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try session.withConnection { connection -> Int in
            try connection.transaction { () throws -> Int in
                let (count, bytes) = try lockMailbox(linkToken, unseenAmong: ids, connection: connection)
                let result = try connection.run("""
                    DELETE m FROM messages m
                    JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS wanted ON m.id = wanted.id
                    WHERE m.link_token = ?
                    """, [.text(Self.jsonList(ids)), .text(linkToken)])
                try uncount(count, bytes: bytes, from: linkToken, connection: connection)
                return Int(result.affectedRows)
            }
        }
    }

    /// Locks the link's row (first, as a send does, so the two never wait on each
    /// other in opposite order), then the unseen messages among `ids` (which the
    /// purge could otherwise delete in between), and sums them.
    private func lockMailbox(_ linkToken: String, unseenAmong ids: [Int64],
                             connection: Connection) throws -> (count: Int64, bytes: Int64) {
        let owner = try connection.query("SELECT 1 FROM clients WHERE link_token = ? FOR UPDATE", [.text(linkToken)])
        guard !owner.isEmpty else { return (0, 0) }
        let rows = try connection.query("""
            SELECT COUNT(*) AS count, COALESCE(SUM(m.size), 0) AS bytes FROM messages m
            JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS wanted ON m.id = wanted.id
            WHERE m.link_token = ? AND m.seen = FALSE
            FOR UPDATE
            """, [.text(Self.jsonList(ids)), .text(linkToken)])
        guard let sums = rows.first else { throw StoreError.failed("the mailbox sums answered no row") }
        return try (sums.decode("count"), sums.decode("bytes"))
    }

    /// Takes messages that stopped being unseen out of the link's mailbox counters.
    private func uncount(_ count: Int64, bytes: Int64, from linkToken: String, connection: Connection) throws {
        guard count > 0 else { return }
        _ = try connection.run("""
            UPDATE clients SET unseen_messages = unseen_messages - LEAST(unseen_messages, ?),
                               unseen_bytes = unseen_bytes - LEAST(unseen_bytes, ?)
            WHERE link_token = ?
            """, [.int(count), .int(bytes), .text(linkToken)])
    }

    public func purgeExpired(_ policy: RetentionPolicy) throws(StoreError) -> Int {
        try session.withConnection { connection -> Int in
            // Small batches keep each statement short, so purging never holds
            // locks long enough to slow a request.
            let messages = try purgeMessageBatch(policy, connection: connection)
            let challenges = try connection.run(
                "DELETE FROM challenges WHERE expires_at <= NOW() OR used = TRUE LIMIT ?", [.int(Int64(policy.batchSize))])
            // A used nonce is kept a lifetime past its challenge's expiry: hosts'
            // clocks may differ a little. The oldest come first in the primary key.
            let usedChallenges = try connection.run(
                "DELETE FROM used_challenges WHERE expiry <= UNIX_TIMESTAMP() - ? LIMIT ?",
                [.int(Int64(policy.usedChallengeGraceSeconds)), .int(Int64(policy.batchSize))])
            let counters = try connection.run(
                "DELETE FROM rate_counters WHERE expires_at <= NOW() LIMIT ?", [.int(Int64(policy.batchSize))])
            let requests = try purgeRequestBatch(policy, connection: connection)
            return messages + requests
                + Int(challenges.affectedRows + usedChallenges.affectedRows + counters.affectedRows)
        }
    }

    /// Deletes one batch of expired messages and takes the unseen ones among
    /// them out of their links' mailbox counters, in one transaction.
    private func purgeMessageBatch(_ policy: RetentionPolicy, connection: Connection) throws -> Int {
        try connection.transaction { () throws -> Int in
            let rows = try connection.query("""
                SELECT id, link_token, seen, COALESCE(size, 0) AS size FROM messages
                WHERE created_at < NOW() - INTERVAL LEAST(?, ?) SECOND
                  AND (created_at < NOW() - INTERVAL ? SECOND OR seen = TRUE)
                ORDER BY created_at LIMIT ? FOR UPDATE
                """, [.int(Int64(policy.messageSeconds)), .int(Int64(policy.seenMessageSeconds)),
                      .int(Int64(policy.messageSeconds)), .int(Int64(policy.batchSize))])
            guard !rows.isEmpty else { return 0 }
            _ = try connection.run("""
                DELETE m FROM messages m
                JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS doomed ON m.id = doomed.id
                """, [.text(Self.jsonList(try rows.map { try $0.decode("id", as: Int64.self) }))])
            var unseen: [String: (count: Int64, bytes: Int64)] = [:]
            // A NULL `seen` is not seen, as `/fetch` shows it (taking it off the
            // counters never takes them below 0).
            for row in rows where try !(row.decode("seen", as: Bool?.self) ?? false) {
                let link = try row.decode("link_token", as: String.self)
                let sum = unseen[link] ?? (0, 0)
                unseen[link] = (sum.count + 1, sum.bytes + (try row.decode("size", as: Int64.self)))
            }
            for (link, sum) in unseen.sorted(by: { $0.key < $1.key }) {
                try uncount(sum.count, bytes: sum.bytes, from: link, connection: connection)
            }
            return rows.count
        }
    }

    /// Each id once: the joins against this list count what they find, and a
    /// repeated id must not take one message off a mailbox twice.
    static func jsonList(_ ids: [Int64]) -> String {
        "[" + Set(ids).sorted().map(String.init).joined(separator: ",") + "]"
    }
}
