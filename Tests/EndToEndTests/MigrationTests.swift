import Foundation
import MariaDB
import Testing
import TestSupport

/// `sealdrop migrate` from schema version 4 (what SealDrop before the hostile-input
/// review made) to 5 and 6, on a database holding what version 4 stored.
@Suite("Schema version 5")
struct MigrationTests {
    @Test("Version 5 counts metadata in every message's size and recounts the mailboxes")
    func recountsMailboxesWithMetadata() throws {
        try withScratchDatabase("v5") { settings, _, scratch in
            let config = try configFile(settings, database: scratch)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let binary = try TestEnvironment.binary()
            let database = try Connection(ConnectionOptions(unixSocket: settings.socket, user: settings.user,
                                                            password: settings.password, database: scratch))
            try #require(try runCommand(binary, ["migrate", "--config", config]).status == 0)
            // Back to version 4: what it left is a size and counters of the ciphertext alone.
            try database.execute("""
                ALTER TABLE challenges MODIFY challenge_nonce VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
                """)
            try database.execute("DROP TABLE used_challenges")
            try database.execute("DELETE FROM sealdrop_schema WHERE version >= 5")
            let link = "link_" + String(repeating: "v", count: 32)
            try database.run("""
                INSERT INTO clients (link_token, public_key, public_key_hash, fetch_token_hash, unseen_messages, unseen_bytes)
                VALUES (?, 'k', 'h', 'f', 3, 300)
                """, [.text(link)])
            let metadata = #"{"sender_nick":"Bob","note":"\#(String(repeating: "x", count: 500))"}"#
            try database.run("""
                INSERT INTO messages (link_token, encrypted_message, metadata, seen, size)
                VALUES (?, REPEAT('A', 100), ?, FALSE, 100), (?, REPEAT('B', 100), NULL, FALSE, 100),
                       (?, REPEAT('C', 100), ?, TRUE, 100), (?, REPEAT('D', 100), ?, FALSE, 100)
                """, [.text(link), .text(metadata), .text(link), .text(link), .text(metadata), .text(link), .text("[]")])

            let migrate = try runCommand(binary, ["migrate", "--config", config])
            #expect(migrate.status == 0 && migrate.output.contains("applied schema versions 5, 6"), "\(migrate.output)")
            let sizes = try database.query("SELECT size FROM messages WHERE link_token = ? ORDER BY id", [.text(link)])
                .compactMap { $0[0].int64 }
            let withMetadata = Int64(100 + metadata.utf8.count)
            #expect(sizes == [withMetadata, 100, withMetadata, 102], "sizes after version 5: \(sizes)")
            let row = try #require(try database.query(
                "SELECT unseen_messages, unseen_bytes FROM clients WHERE link_token = ?", [.text(link)]).first)
            #expect(row[0].int64 == 3 && row[1].int64 == withMetadata + 100 + 102,
                    "the mailbox counts \(row[0].int64 ?? -1) messages, \(row[1].int64 ?? -1) bytes")
            let collation = try database.query("""
                SELECT collation_name FROM information_schema.columns
                WHERE table_schema = DATABASE() AND table_name = 'challenges' AND column_name = 'challenge_nonce'
                """).first?[0].string
            #expect(collation == "utf8mb4_nopad_bin")
            // Version 6: used challenge nonces, one row per nonce.
            let key = try database.query("""
                SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.key_column_usage
                WHERE table_schema = DATABASE() AND table_name = 'used_challenges' AND constraint_name = 'PRIMARY'
                """).first?[0].string
            #expect(key == "expiry,nonce", "used_challenges' primary key: \(String(describing: key))")
        }
    }
}
