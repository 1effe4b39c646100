import MariaDB

/// The ``Store`` on MariaDB. All SQL of the request path lives here; every
/// statement is prepared once per connection and bound, never spliced.
public final class MariaDBStore: Store {
    let session: DatabaseSession
    var sendRoutine = RoutineAvailability()
    var recounts = RecountThrottle()
    var signingKeys = SigningKeyCache()

    public init(configuration: Configuration.Database) {
        session = DatabaseSession(servers: configuration.connectionOptions)
    }

    public func checkHealth() throws(StoreError) {
        try session.checkHealth()
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
            } catch let error as MariaDBError where error.isDuplicateEntry {
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
            // link_token compares byte for byte (schema version 4), so a match is exact.
            guard let row = rows.first else {
                signingKeys.forget(linkToken)
                return nil
            }
            return try ClientRecord(
                id: row.decode("id"), linkToken: linkToken, publicKey: row.decode("public_key"),
                displayName: row.decode("display_name"),
                fetchTokenHash: row.decode("fetch_token_hash", as: String.self).trimmingSpaces(),
                encryptionPublicKey: row.decode("encryption_public_key"), createdAt: row.decode("created_at"))
        }
    }

    public func signingKey(linkToken: String) throws(StoreError) -> String? {
        if let key = signingKeys.key(for: linkToken) { return key }
        let key = try session.withConnection { connection -> String? in
            try connection.query("SELECT public_key FROM clients WHERE link_token = ?", [.text(linkToken)])
                .first?.decode("public_key", as: String.self)
        }
        if let key { signingKeys.remember(key, for: linkToken) }
        return key
    }

    public func deleteClient(linkToken: String) throws(StoreError) -> Bool {
        signingKeys.forget(linkToken)
        return try session.withConnection { connection -> Bool in
            try connection.transaction { () throws -> Bool in
                let owner = try connection.query(
                    "SELECT id FROM clients WHERE link_token = ? FOR UPDATE", [.text(linkToken)])
                guard !owner.isEmpty else { return false }
                // Everything kept for the link goes with it: nothing is left behind.
                _ = try connection.run("DELETE FROM messages WHERE link_token = ?", [.text(linkToken)])
                _ = try connection.run("DELETE FROM challenges WHERE link_token = ?", [.text(linkToken)])
                _ = try connection.run("DELETE FROM message_requests WHERE from_link_token = ? OR to_link_token = ?",
                                       [.text(linkToken), .text(linkToken)])
                _ = try connection.run("DELETE FROM clients WHERE link_token = ?", [.text(linkToken)])
                return true
            }
        }
    }

    public func replaceFetchTokenHash(linkToken: String, hash: String) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            try connection.run("UPDATE clients SET fetch_token_hash = ? WHERE link_token = ?",
                               [.text(hash), .text(linkToken)]).affectedRows == 1
        }
    }
}

@available(*, unavailable)
extension MariaDBStore: Sendable {}

extension Configuration.Database {
    /// How to reach each of ``servers``, in the same order.
    var connectionOptions: [ConnectionOptions] {
        servers.map { server in
            var options = ConnectionOptions(user: user, password: password, database: name,
                                            connectTimeout: connectTimeoutSeconds)
            switch server {
            case .tcp(let host, let port):
                options.host = host
                options.port = port
            case .socket(let path):
                options.unixSocket = path
            }
            return options
        }
    }
}

extension Timestamp: ColumnDecodable {
    /// A DATETIME or TIMESTAMP column, read in UTC.
    public static func decode(_ value: Value) -> Timestamp? {
        value.dateTime.map {
            Timestamp(year: Int($0.year), month: Int($0.month), day: Int($0.day),
                      hour: Int($0.hour), minute: Int($0.minute), second: Int($0.second))
        }
    }
}
