import MariaDB

extension MariaDBStore {
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
}
