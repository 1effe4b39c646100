/// The schema, as numbered steps. Every statement is idempotent, so a step
/// interrupted half-way can simply run again; `schema.sql` is these steps
/// printed by `sealdrop schema` (a test keeps the two equal).
enum Migrations {
    struct Step {
        let version: Int
        let summary: String
        let statements: [String]
    }

    static var latestVersion: Int { steps.last?.version ?? 0 }

    static let steps: [Step] = [
        Step(version: 1, summary: "the original server's tables, plus SealDrop's columns and indexes", statements: [
            """
            CREATE TABLE IF NOT EXISTS clients (
              id INT AUTO_INCREMENT PRIMARY KEY,
              link_token VARCHAR(128) COLLATE utf8mb4_bin UNIQUE NOT NULL,
              public_key TEXT NOT NULL,
              public_key_hash CHAR(64) NOT NULL,
              key_type VARCHAR(16) NOT NULL DEFAULT 'ed25519',
              display_name VARCHAR(255) DEFAULT NULL,
              fetch_token_hash CHAR(128) NOT NULL,
              encryption_public_key VARCHAR(64) NULL,
              created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
              INDEX idx_public_key_hash (public_key_hash)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """,
            // A database made by the original server has the seed's columns only.
            "ALTER TABLE clients ADD COLUMN IF NOT EXISTS key_type VARCHAR(16) NOT NULL DEFAULT 'ed25519' AFTER public_key_hash",
            "ALTER TABLE clients ADD COLUMN IF NOT EXISTS encryption_public_key VARCHAR(64) NULL AFTER fetch_token_hash",
            """
            CREATE TABLE IF NOT EXISTS messages (
              id BIGINT AUTO_INCREMENT PRIMARY KEY,
              link_token VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
              encrypted_message LONGTEXT NOT NULL,
              created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
              seen BOOLEAN DEFAULT FALSE,
              metadata JSON NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """,
            // /fetch reads one link's messages newest first.
            "CREATE INDEX IF NOT EXISTS idx_messages_link_id ON messages (link_token, id)",
            """
            CREATE TABLE IF NOT EXISTS challenges (
              id INT AUTO_INCREMENT PRIMARY KEY,
              link_token VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
              challenge_nonce VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
              created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
              expires_at TIMESTAMP NOT NULL,
              used BOOLEAN DEFAULT FALSE
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """,
            "CREATE INDEX IF NOT EXISTS idx_challenges_link ON challenges (link_token)",
            "CREATE INDEX IF NOT EXISTS idx_challenges_expires ON challenges (expires_at)",
        ]),
        Step(version: 2, summary: "permission-based messaging, as the original server grew it; retention", statements: [
            """
            CREATE TABLE IF NOT EXISTS message_requests (
              id INT AUTO_INCREMENT PRIMARY KEY,
              from_link_token VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
              to_link_token VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
              from_nickname VARCHAR(255) NOT NULL,
              status ENUM('pending', 'accepted', 'rejected') DEFAULT 'pending',
              created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
              updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
              INDEX idx_to_link_token (to_link_token),
              INDEX idx_from_link_token (from_link_token),
              INDEX idx_status (status)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """,
            // Purging scans by age.
            "CREATE INDEX IF NOT EXISTS idx_messages_created ON messages (created_at)",
        ]),
        Step(version: 3, summary: "flood limits: mailbox sizes, rate counters kept by hashed key", statements: [
            "ALTER TABLE messages ADD COLUMN IF NOT EXISTS size INT UNSIGNED NULL",
            "UPDATE messages SET size = LENGTH(encrypted_message) WHERE size IS NULL",
            // Mailbox caps sum unseen sizes per link from the index alone.
            "CREATE INDEX IF NOT EXISTS idx_messages_link_seen_size ON messages (link_token, seen, size)",
            // The per-link send rate counts recent messages.
            "CREATE INDEX IF NOT EXISTS idx_messages_link_created ON messages (link_token, created_at)",
            """
            CREATE TABLE IF NOT EXISTS rate_counters (
              bucket CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
              window_start BIGINT NOT NULL,
              hits INT UNSIGNED NOT NULL,
              expires_at TIMESTAMP NOT NULL,
              PRIMARY KEY (bucket, window_start),
              INDEX idx_rate_counters_expires (expires_at)
            ) ENGINE=InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS sealdrop_settings (
              name VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
              value VARCHAR(255) CHARACTER SET ascii NOT NULL
            ) ENGINE=InnoDB
            """,
        ]),
        Step(version: 4, summary: "mailbox counters and send rate on the link's row; indexes for what is asked", statements: [
            // Tokens compare byte for byte in every table, as SealDrop's own tables
            // always did: the original server's were case-insensitive, which every
            // statement then had to correct with a BINARY comparison the optimizer
            // pays for on each row it looks at.
            "ALTER TABLE clients MODIFY link_token VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
            "ALTER TABLE messages MODIFY link_token VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
            "ALTER TABLE challenges MODIFY link_token VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
            "ALTER TABLE challenges MODIFY challenge_nonce VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
            // A send checks and counts its mailbox on the link's row instead of
            // scanning the link's messages (which grew with the mailbox and made
            // every send read the table it was inserting into).
            "ALTER TABLE clients ADD COLUMN IF NOT EXISTS unseen_messages INT UNSIGNED NOT NULL DEFAULT 0",
            "ALTER TABLE clients ADD COLUMN IF NOT EXISTS unseen_bytes BIGINT UNSIGNED NOT NULL DEFAULT 0",
            // The per-link send rate: a count of recent sends that drains continuously.
            "ALTER TABLE clients ADD COLUMN IF NOT EXISTS recent_sends DOUBLE NOT NULL DEFAULT 0",
            "ALTER TABLE clients ADD COLUMN IF NOT EXISTS recent_sends_at DOUBLE NOT NULL DEFAULT 0",
            recountMailboxes,
            // Only these indexes served the old scans; each slowed every insert.
            "DROP INDEX IF EXISTS idx_messages_link_seen_size ON messages",
            "DROP INDEX IF EXISTS idx_messages_link_created ON messages",
            // Issuing and consuming a challenge read only the link's live ones.
            "CREATE INDEX IF NOT EXISTS idx_challenges_link_live ON challenges (link_token, used, expires_at)",
            "DROP INDEX IF EXISTS idx_challenges_link ON challenges",
        ]),
        Step(version: 5, summary: "the rest of the hostile-input review", statements: [
            // utf8mb4_bin pads with spaces when it compares: `challenge + " "`, signed,
            // matched the challenge and used it up. NO PAD compares the bytes exactly.
            "ALTER TABLE challenges MODIFY challenge_nonce VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL",
            // A message's size is what it stores, metadata included: counting the
            // ciphertext alone let 64 counted bytes take 4 KiB. Then every mailbox
            // is counted again from the sizes.
            """
            UPDATE messages SET size = LENGTH(encrypted_message) + COALESCE(LENGTH(metadata), 0)
            WHERE metadata IS NOT NULL OR size IS NULL
            """,
            recountMailboxes,
            // Permission requests: a recipient's pending ones are listed page by page;
            // unanswered ones lapse and rejected ones go after the wait, by age.
            "CREATE INDEX IF NOT EXISTS idx_requests_to_status_id ON message_requests (to_link_token, status, id)",
            "CREATE INDEX IF NOT EXISTS idx_requests_status_created ON message_requests (status, created_at)",
            "CREATE INDEX IF NOT EXISTS idx_requests_status_updated ON message_requests (status, updated_at)",
            // Each is the start of one of the new ones.
            "DROP INDEX IF EXISTS idx_to_link_token ON message_requests",
            "DROP INDEX IF EXISTS idx_status ON message_requests",
        ]),
        Step(version: 6, summary: "challenges carry their own proof of issue; their nonces are recorded when used", statements: [
            // Issuing a challenge writes nothing (it is MAC'd under `challenge_key`);
            // using one inserts its nonce here, once: a second insert of the same
            // nonce is a duplicate key, on one server or across a cluster's nodes.
            // Kept a lifetime past the challenge's expiry, then purged.
            """
            CREATE TABLE IF NOT EXISTS used_challenges (
              expiry BIGINT NOT NULL,
              nonce BINARY(16) NOT NULL,
              PRIMARY KEY (expiry, nonce)
            ) ENGINE=InnoDB
            """,
        ]),
    ]

    /// Sets every link's mailbox counters from its unseen messages.
    private static let recountMailboxes = """
        UPDATE clients c
        LEFT JOIN (SELECT link_token, COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM messages
                   WHERE seen = FALSE GROUP BY link_token) AS u ON u.link_token = c.link_token
        SET c.unseen_messages = COALESCE(u.n, 0), c.unseen_bytes = COALESCE(u.bytes, 0)
        """

    static let versionTable = """
        CREATE TABLE IF NOT EXISTS sealdrop_schema (
          version INT NOT NULL PRIMARY KEY,
          applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """

    /// `schema.sql`: every step, for people who create the database by hand.
    static var script: String {
        var text = "-- SealDrop schema, version \(latestVersion). Generated by `sealdrop schema`; apply with\n"
        text += "-- `sealdrop migrate` (or: mariadb DB_NAME < schema.sql). Times are stored in UTC.\n\n"
        text += versionTable + ";\n"
        for step in steps {
            text += "\n-- Version \(step.version): \(step.summary)\n"
            for statement in step.statements { text += statement + ";\n" }
            text += "INSERT IGNORE INTO sealdrop_schema (version) VALUES (\(step.version));\n"
        }
        text += "\n-- Stored procedures: each makes a busy request one round trip. SealDrop works without\n"
        text += "-- them (with more round trips), so leave this part out if your host forbids CREATE ROUTINE.\n"
        text += "DELIMITER //\n"
        for routine in Routines.all { text += routine.definition + "//\n" }
        text += "DELIMITER ;\n"
        return text
    }
}
