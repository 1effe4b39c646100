import MariaDB

extension MariaDBStore {
    public func issueChallenge(linkToken: String, nonce: String, lifetimeSeconds: Int, maxOutstanding: Int) throws(StoreError) -> ChallengeIssue {
        try session.withConnection { connection -> ChallengeIssue in
            // The link's row is locked by a statement of its own before anything is
            // counted, so concurrent requests of one link queue there and each
            // counts after the one before committed. (Locking it inside the
            // INSERT … SELECT was not enough: 16 concurrent requests now and then
            // got six challenges.) The count is a locking read of the link's own
            // rows only, so other links' challenges never wait on it.
            // Expired challenges are deleted by the purge batches, used ones when used.
            try connection.transaction { () throws -> ChallengeIssue in
                let link = try connection.query("SELECT 1 FROM clients WHERE link_token = ? FOR UPDATE", [.text(linkToken)])
                guard !link.isEmpty else { return .unknownLink }
                // The row lock above holds on this node only; this holds the count across a cluster's nodes.
                try connection.lockAcrossNodes("challenges", linkToken, seconds: lifetimeSeconds)
                let result = try connection.run("""
                    INSERT INTO challenges (link_token, challenge_nonce, expires_at)
                    SELECT ?, ?, NOW() + INTERVAL ? SECOND FROM DUAL
                    WHERE (SELECT COUNT(*) FROM challenges
                           WHERE link_token = ? AND used = FALSE AND expires_at > NOW() LOCK IN SHARE MODE) < ?
                    """, [.text(linkToken), .text(nonce), .int(Int64(lifetimeSeconds)),
                          .text(linkToken), .int(Int64(maxOutstanding))])
                return result.affectedRows == 1 ? .issued : .tooManyOutstanding
            }
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
                """, [.text(linkToken), .text(nonce)])
            return result.affectedRows == 1
        }
    }

    public func exchangeChallenge(linkToken: String, nonce: String, for nextNonce: String,
                                  remainingAtLeast seconds: Int) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            // One conditional UPDATE of the same row: of concurrent replays exactly
            // one matches the old nonce. Only the nonce changes, a column no index
            // holds, so the row is rewritten in place with no index entry touched,
            // and the link's count of outstanding challenges stays what it was.
            let result = try connection.run("""
                UPDATE challenges SET challenge_nonce = ?
                WHERE link_token = ? AND used = FALSE AND expires_at >= NOW() + INTERVAL ? SECOND
                  AND challenge_nonce = ?
                """, [.text(nextNonce), .text(linkToken), .int(Int64(seconds)), .text(nonce)])
            return result.affectedRows == 1
        }
    }
}
