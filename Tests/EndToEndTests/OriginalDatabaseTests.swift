import Foundation
import MariaDB
import Sodium
import Testing
import TestSupport

/// A database made by the original Python server (the seed's tables, exactly as
/// its README creates them, in a case-insensitive collation) is brought forward by
/// `sealdrop migrate` with its links, tokens and messages intact.
@Suite("Original server's database")
struct OriginalDatabaseTests {
    static let seedTables = [
        """
        CREATE TABLE clients (
          id INT AUTO_INCREMENT PRIMARY KEY,
          link_token VARCHAR(128) UNIQUE NOT NULL,
          public_key TEXT NOT NULL,
          public_key_hash CHAR(64) NOT NULL,
          display_name VARCHAR(255),
          fetch_token_hash CHAR(128) NOT NULL,
          created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
        )
        """,
        """
        CREATE TABLE messages (
          id BIGINT AUTO_INCREMENT PRIMARY KEY,
          link_token VARCHAR(128) NOT NULL,
          encrypted_message LONGTEXT NOT NULL,
          created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
          seen BOOLEAN DEFAULT FALSE,
          metadata JSON NULL
        )
        """,
        """
        CREATE TABLE challenges (
          id INT AUTO_INCREMENT PRIMARY KEY,
          link_token VARCHAR(128) NOT NULL,
          challenge_nonce VARCHAR(255) NOT NULL,
          created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
          expires_at TIMESTAMP NOT NULL,
          used BOOLEAN DEFAULT FALSE
        )
        """,
    ]

    @Test("sealdrop migrate keeps the original's data, counts its mailboxes and makes tokens case-sensitive")
    func migratesOriginalDatabase() throws {
        try withScratchDatabase("original", collation: "utf8mb4_general_ci") { settings, _, scratch in
            let database = try Connection(ConnectionOptions(unixSocket: settings.socket, user: settings.user,
                                                            password: settings.password, database: scratch))
            for table in Self.seedTables { try database.execute(table) }

            // A link and its mailbox as the original server left them.
            let keys = SigningKeyPair()
            let publicKey = Base64.encode(keys.publicKey.bytes)
            let link = Tokens.linkToken()
            let fetchToken = Tokens.fetchToken()
            try database.run("""
                INSERT INTO clients (link_token, public_key, public_key_hash, display_name, fetch_token_hash)
                VALUES (?, ?, ?, 'Ada', ?)
                """, [.text(link), .text(publicKey), .text(SHA256.hexDigest(utf8: publicKey)), .text(SHA256.hexDigest(utf8: fetchToken))])
            let unseen = Base64.encode(SealedBox.seal(Array("unseen".utf8), to: keys.publicKey.x25519))
            let seen = Base64.encode(SealedBox.seal(Array("seen".utf8), to: keys.publicKey.x25519))
            try database.run("INSERT INTO messages (link_token, encrypted_message, seen) VALUES (?, ?, FALSE), (?, ?, TRUE)",
                             [.text(link), .text(unseen), .text(link), .text(seen)])

            let config = try configFile(settings, database: scratch)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let binary = try TestEnvironment.binary()
            let migrate = try runCommand(binary, ["migrate", "--config", config])
            #expect(migrate.status == 0, "sealdrop migrate: \(migrate.output)")
            #expect(migrate.output.contains("applied schema versions 1, 2, 3, 4, 5"), "\(migrate.output)")

            let row = try #require(try database.query(
                "SELECT display_name, fetch_token_hash, unseen_messages, unseen_bytes FROM clients WHERE link_token = ?",
                [.text(link)]).first)
            #expect(row[0].string == "Ada")
            #expect(row[1].string == SHA256.hexDigest(utf8: fetchToken))
            #expect(row[2].int64 == 1 && row[3].int64 == Int64(unseen.utf8.count), "the unseen message is counted")
            #expect(try database.query("SELECT COUNT(*) FROM messages WHERE link_token = ?", [.text(link)]).first?[0].int64 == 2)
            let collations = try database.query("""
                SELECT table_name, column_name, collation_name FROM information_schema.columns
                WHERE table_schema = DATABASE() AND column_name IN ('link_token', 'challenge_nonce')
                  AND table_name IN ('clients', 'messages', 'challenges')
                """).map { "\($0[0].string ?? "").\($0[1].string ?? ""): \($0[2].string ?? "")" }
            // Challenges compare without padding: a trailing space is another challenge.
            #expect(collations.sorted() == ["challenges.challenge_nonce: utf8mb4_nopad_bin", "challenges.link_token: utf8mb4_bin",
                                            "clients.link_token: utf8mb4_bin", "messages.link_token: utf8mb4_bin"],
                    "\(collations)")
            let unique = try database.query("""
                SELECT non_unique FROM information_schema.statistics
                WHERE table_schema = DATABASE() AND table_name = 'clients' AND column_name = 'link_token'
                """).first?[0].int64
            #expect(unique == 0, "link_token is still unique")

            // The responder serves the link, and only under its exact spelling.
            func linkInfo(_ token: String) throws -> CommandResult {
                try runCommand(binary, [], environment: ["SEALDROP_CONFIG": config, "REQUEST_METHOD": "GET",
                                                         "DOCUMENT_URI": "/l/\(token)", "REQUEST_URI": "/l/\(token)"])
            }
            let found = try linkInfo(link)
            #expect(found.output.contains("Status: 200") && found.output.contains(publicKey), "\(found.output)")
            let otherCase = try linkInfo(link.uppercased())
            #expect(otherCase.output.contains("Status: 404"), "\(otherCase.output)")
        }
    }
}
