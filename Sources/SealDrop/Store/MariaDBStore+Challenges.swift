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

    public func recordChallengeUse(nonce: [UInt8], linkToken: String, keepUntil: UInt64) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            // One insert on the nonce's primary key: of concurrent replays one
            // inserts, the others meet the duplicate. Through other Galera nodes the
            // same key fails certification, and the retry (``ConflictRetry``, around
            // this body) then finds the winner's row. It inserts only while the link
            // exists: its key may have come from a cache after the link was removed.
            do {
                let result = try connection.run("""
                    INSERT INTO used_challenges (nonce, expires_at)
                    SELECT ?, FROM_UNIXTIME(?) FROM clients WHERE link_token = ?
                    """, [.blob(nonce), .int(Int64(clamping: keepUntil)), .text(linkToken)])
                return result.affectedRows == 1
            } catch let error as MariaDBError where error.isDuplicateEntry {
                return false
            }
        }
    }
}
