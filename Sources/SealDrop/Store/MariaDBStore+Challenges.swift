import MariaDB

extension MariaDBStore {
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

    public func recordChallengeUse(nonce: [UInt8], linkToken: String, expiry: UInt64) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            // One insert on the nonce's primary key: of concurrent replays one
            // inserts, the others meet the duplicate. Through other Galera nodes the
            // same key fails certification, and the retry (``ConflictRetry``, around
            // this body) then finds the winner's row. It inserts only while the link
            // exists: its key may have come from a cache after the link was removed.
            // The key leads with the challenge's expiry (fixed by its MAC, so the
            // same for every replay on every host): rows go in at the key's end,
            // not at random places, and the purge takes them from its start.
            // Expiry is checked again on the database's clock, the one the purge
            // goes by: a host whose clock lags cannot accept a challenge whose
            // nonce may already have been purged.
            do {
                let result = try connection.run("""
                    INSERT INTO used_challenges (expiry, nonce)
                    SELECT ?, ? FROM clients WHERE link_token = ? AND ? > UNIX_TIMESTAMP()
                    """, [.int(Int64(clamping: expiry)), .blob(nonce), .text(linkToken), .int(Int64(clamping: expiry))])
                return result.affectedRows == 1
            } catch let error as MariaDBError where error.isDuplicateEntry {
                return false
            }
        }
    }
}
