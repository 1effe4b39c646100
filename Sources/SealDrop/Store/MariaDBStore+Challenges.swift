import MariaDB

extension MariaDBStore {
    public func issueChallenge(linkToken: String, nonce: String, lifetimeSeconds: Int, maxOutstanding: Int) throws(StoreError) -> ChallengeIssue {
        try session.withConnection { connection -> ChallengeIssue in
            // One round trip: the insert proves the link exists and counts its live
            // challenges. FOR UPDATE on the link's row (read first, as a constant
            // table) serialises concurrent requests of one link, and the count is a
            // locking read, so it sees what the one before committed: a snapshot
            // could be older than the wait. It locks only the link's own rows, so
            // other links' challenges never wait on it.
            // Expired challenges are deleted by the purge batches, used ones when used.
            let result = try connection.run("""
                INSERT INTO challenges (link_token, challenge_nonce, expires_at)
                SELECT c.link_token, ?, NOW() + INTERVAL ? SECOND FROM clients c
                WHERE c.link_token = ?
                  AND (SELECT COUNT(*) FROM challenges
                       WHERE link_token = ? AND used = FALSE AND expires_at > NOW() LOCK IN SHARE MODE) < ?
                FOR UPDATE
                """, [.text(nonce), .int(Int64(lifetimeSeconds)), .text(linkToken),
                      .text(linkToken), .int(Int64(maxOutstanding))])
            if result.affectedRows == 1 { return .issued }
            let exists = try connection.query(
                "SELECT 1 FROM clients WHERE link_token = ?", [.text(linkToken)])
            return exists.isEmpty ? .unknownLink : .tooManyOutstanding
        }
    }

    public func consumeChallenge(linkToken: String, nonce: String) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            // A single conditional DELETE: of concurrent replays, exactly one
            // removes the row. Deleting rather than marking it used leaves the
            // purge nothing to do for it afterwards.
            let result = try connection.run("""
                DELETE FROM challenges
                WHERE link_token = ? AND used = FALSE AND expires_at > NOW()
                  AND challenge_nonce = ?
                LIMIT 1
                """, [.text(linkToken), .text(nonce)])
            return result.affectedRows == 1
        }
    }
}
