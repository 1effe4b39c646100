import MariaDB

extension MariaDBStore {
    public func issueChallenge(linkToken: String, nonce: String, lifetimeSeconds: Int, maxOutstanding: Int) throws(StoreError) -> ChallengeIssue {
        try session.withConnection { connection -> ChallengeIssue in
            // One round trip: the insert proves the link exists and counts its live
            // challenges; FOR UPDATE on the link's row serialises concurrent
            // requests of one link, so the count cannot be raced past the limit.
            // Used and expired challenges are deleted by the purge batches.
            let result = try connection.run("""
                INSERT INTO challenges (link_token, challenge_nonce, expires_at)
                SELECT c.link_token, ?, NOW() + INTERVAL ? SECOND FROM clients c
                WHERE c.link_token = ? AND BINARY c.link_token = ?
                  AND (SELECT COUNT(*) FROM challenges
                       WHERE link_token = ? AND used = FALSE AND expires_at > NOW()) < ?
                FOR UPDATE
                """, [.text(nonce), .int(Int64(lifetimeSeconds)), .text(linkToken), .text(linkToken),
                      .text(linkToken), .int(Int64(maxOutstanding))])
            if result.affectedRows == 1 { return .issued }
            let exists = try connection.query(
                "SELECT 1 FROM clients WHERE link_token = ? AND BINARY link_token = ?", [.text(linkToken), .text(linkToken)])
            return exists.isEmpty ? .unknownLink : .tooManyOutstanding
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
