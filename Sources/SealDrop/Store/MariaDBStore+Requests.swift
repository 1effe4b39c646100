import MariaDB

extension MariaDBStore {
    public func isPermitted(from: String, to: String) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            let rows = try connection.query("""
                SELECT 1 FROM message_requests
                WHERE from_link_token = ? AND to_link_token = ? AND status = 'accepted' LIMIT 1
                """, [.text(from), .text(to)])
            return !rows.isEmpty
        }
    }

    public func requestPermission(from: String, to: String, nickname: String) throws(StoreError) -> PermissionRequestOutcome {
        try session.withConnection { connection -> PermissionRequestOutcome in
            try connection.transaction { () throws -> PermissionRequestOutcome in
                // Lock the recipient's row so two identical requests cannot both insert.
                _ = try connection.query("SELECT id FROM clients WHERE link_token = ? FOR UPDATE", [.text(to)])
                // The row lock above holds on this node only; this holds across a cluster's nodes.
                try connection.lockAcrossNodes("message_requests", to, seconds: 60)
                let existing = try connection.query("""
                    SELECT id, status FROM message_requests
                    WHERE from_link_token = ? AND to_link_token = ? AND status IN ('pending', 'accepted')
                    ORDER BY status = 'accepted' DESC, id DESC LIMIT 1
                    """, [.text(from), .text(to)])
                if let row = existing.first {
                    if row[1].string == "accepted" { return .alreadyAccepted }
                    return .pending(id: row[0].int64 ?? 0)
                }
                let result = try connection.run("""
                    INSERT INTO message_requests (from_link_token, to_link_token, from_nickname, status)
                    VALUES (?, ?, ?, 'pending')
                    """, [.text(from), .text(to), .text(nickname)])
                return .pending(id: Int64(result.lastInsertID))
            }
        }
    }

    public func pendingRequests(to: String) throws(StoreError) -> [MessageRequestRecord] {
        try session.withConnection { connection -> [MessageRequestRecord] in
            try connection.query("""
                SELECT id, from_link_token, to_link_token, from_nickname, status, created_at FROM message_requests
                WHERE to_link_token = ? AND status = 'pending' ORDER BY id DESC LIMIT 500
                """, [.text(to)]).map(Self.requestRecord)
        }
    }

    public func messageRequest(id: Int64) throws(StoreError) -> MessageRequestRecord? {
        try session.withConnection { connection -> MessageRequestRecord? in
            try connection.query("""
                SELECT id, from_link_token, to_link_token, from_nickname, status, created_at FROM message_requests
                WHERE id = ?
                """, [.int(id)]).first.map(Self.requestRecord)
        }
    }

    public func answerRequest(id: Int64, with status: MessageRequestStatus) throws(StoreError) -> Bool {
        try session.withConnection { connection -> Bool in
            // Conditional on 'pending', so two answers racing cannot both win.
            try connection.run("UPDATE message_requests SET status = ? WHERE id = ? AND status = 'pending'",
                               [.text(status.rawValue), .int(id)]).affectedRows == 1
        }
    }

    private static func requestRecord(_ row: Row) -> MessageRequestRecord {
        MessageRequestRecord(
            id: row[0].int64 ?? 0, fromLinkToken: row[1].string ?? "", toLinkToken: row[2].string ?? "",
            fromNickname: row[3].string ?? "", status: MessageRequestStatus(rawValue: row[4].string ?? "") ?? .pending,
            createdAt: row[5].timestamp)
    }
}
