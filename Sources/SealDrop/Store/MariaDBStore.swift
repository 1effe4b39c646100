import MariaDB

/// The ``Store`` on MariaDB. All SQL of the request path lives here; every
/// statement is prepared once per connection and bound, never spliced.
public final class MariaDBStore: Store {
    private let session: DatabaseSession

    public init(configuration: Configuration.Database) {
        session = DatabaseSession(options: ConnectionOptions(configuration))
    }

    public func checkHealth() throws(StoreError) {
        try session.withConnection { connection in
            _ = try connection.query("SELECT 1")
        }
    }

    public func insertClient(_ client: NewClient) throws(StoreError) -> Int64? {
        try session.withConnection { connection -> Int64? in
            do {
                let result = try connection.run("""
                    INSERT INTO clients (link_token, public_key, public_key_hash, key_type, display_name,
                                         fetch_token_hash, encryption_public_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [.text(client.linkToken), .text(client.publicKey), .text(client.publicKeyHash),
                          .text(client.keyType), client.displayName.map(Value.text) ?? .null,
                          .text(client.fetchTokenHash), client.encryptionPublicKey.map(Value.text) ?? .null])
                return Int64(result.lastInsertID)
            } catch let error as MariaDBError where error.code == MariaDBError.duplicateEntry {
                return nil
            }
        }
    }

    public func client(linkToken: String) throws(StoreError) -> ClientRecord? {
        try session.withConnection { connection -> ClientRecord? in
            let rows = try connection.query("""
                SELECT id, link_token, public_key, display_name, fetch_token_hash, encryption_public_key, created_at
                FROM clients WHERE link_token = ?
                """, [.text(linkToken)])
            // The original schema compares tokens case-insensitively; a link
            // token is case-sensitive, so only an exact match counts.
            guard let row = rows.first(where: { $0[1].string == linkToken }) else { return nil }
            return ClientRecord(
                id: row[0].int64 ?? 0, linkToken: linkToken, publicKey: row[2].string ?? "",
                displayName: row[3].string,
                fetchTokenHash: (row[4].string ?? "").trimmingSpaces(),
                encryptionPublicKey: row[5].string, createdAt: row[6].timestamp)
        }
    }

    public func insertMessage(linkToken: String, encryptedMessage: String, metadataJSON: String?) throws(StoreError) -> Int64? {
        try session.withConnection { connection -> Int64? in
            // One round trip: the insert itself proves the link exists.
            let result = try connection.run("""
                INSERT INTO messages (link_token, encrypted_message, metadata)
                SELECT link_token, ?, ? FROM clients WHERE link_token = ? AND BINARY link_token = ?
                """, [.text(encryptedMessage), metadataJSON.map(Value.text) ?? .null, .text(linkToken), .text(linkToken)])
            return result.affectedRows == 1 ? Int64(result.lastInsertID) : nil
        }
    }

    public func issueChallenge(linkToken: String, nonce: String, lifetimeSeconds: Int, maxOutstanding: Int) throws(StoreError) -> ChallengeIssue {
        try session.withConnection { connection -> ChallengeIssue in
            try connection.transaction { () throws -> ChallengeIssue in
                // Locking the client row serialises challenge requests of one link,
                // so the outstanding count cannot be raced past the limit.
                let owner = try connection.query(
                    "SELECT id FROM clients WHERE link_token = ? AND BINARY link_token = ? FOR UPDATE",
                    [.text(linkToken), .text(linkToken)])
                guard !owner.isEmpty else { return .unknownLink }
                _ = try connection.run(
                    "DELETE FROM challenges WHERE link_token = ? AND (used = TRUE OR expires_at <= NOW())",
                    [.text(linkToken)])
                let outstanding = try connection.query(
                    "SELECT COUNT(*) FROM challenges WHERE link_token = ?", [.text(linkToken)])
                if (outstanding.first?[0].int64 ?? 0) >= Int64(maxOutstanding) { return .tooManyOutstanding }
                _ = try connection.run("""
                    INSERT INTO challenges (link_token, challenge_nonce, expires_at)
                    VALUES (?, ?, NOW() + INTERVAL ? SECOND)
                    """, [.text(linkToken), .text(nonce), .int(Int64(lifetimeSeconds))])
                return .issued
            }
        }
    }

    public func consumeChallenge(linkToken: String, nonce: String) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            // A single conditional UPDATE: of concurrent replays, exactly one
            // sees used = FALSE and changes the row.
            let result = try connection.run("""
                UPDATE challenges SET used = TRUE
                WHERE link_token = ? AND challenge_nonce = ? AND BINARY challenge_nonce = ?
                  AND used = FALSE AND expires_at > NOW()
                LIMIT 1
                """, [.text(linkToken), .text(nonce), .text(nonce)])
            return result.affectedRows == 1
        }
    }

    public func messages(linkToken: String, query: MessageQuery) throws(StoreError) -> [StoredMessage] {
        try session.withConnection { connection -> [StoredMessage] in
            let rows = try connection.query("""
                SELECT id, encrypted_message, created_at, seen, metadata FROM messages
                WHERE link_token = ? AND (? OR seen = FALSE) AND id < ?
                ORDER BY id DESC LIMIT ?
                """, [.text(linkToken), .int(query.includeSeen ? 1 : 0),
                      .int(query.beforeID ?? Int64.max), .int(Int64(query.limit))])
            return rows.map { row in
                StoredMessage(id: row[0].int64 ?? 0, encryptedMessage: row[1].string ?? "",
                              createdAt: row[2].timestamp, seen: (row[3].int64 ?? 0) != 0,
                              metadataJSON: row[4].string)
            }
        }
    }

    public func markSeen(linkToken: String, ids: [Int64]) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        return try session.withConnection { connection -> Int in
            // The ids travel as one JSON array, so one prepared statement serves any count.
            let result = try connection.run("""
                UPDATE messages m
                JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS wanted ON m.id = wanted.id
                SET m.seen = TRUE
                WHERE m.link_token = ? AND m.seen = FALSE
                """, [.text(list), .text(linkToken)])
            return Int(result.affectedRows)
        }
    }
}

@available(*, unavailable)
extension MariaDBStore: Sendable {}

extension ConnectionOptions {
    init(_ database: Configuration.Database) {
        self.init(host: database.host, port: database.port, unixSocket: database.socket,
                  user: database.user, password: database.password, database: database.name,
                  connectTimeout: database.connectTimeoutSeconds)
    }
}

extension Value {
    var timestamp: Timestamp? {
        guard case .dateTime(let value) = self else { return nil }
        return Timestamp(year: Int(value.year), month: Int(value.month), day: Int(value.day),
                         hour: Int(value.hour), minute: Int(value.minute), second: Int(value.second))
    }
}
