import MariaDB
import Testing
import TestSupport

/// Issue 5, point 6: expired messages go, by `sealdrop purge` and by the
/// responder itself in small batches after responses — no cron job.
@Suite("Retention", .serialized)
struct RetentionTests {
    @Test("purge removes messages past retention and seen ones past the shorter limit, keeps the rest")
    func purgeCommand() throws {
        try PrivateStack.with(name: "e2e-retention", settings: ["SEALDROP_PURGE_INTERVAL_SECONDS": "0"]) { stack in
            let api = try stack.client()
            let recipient = try Recipient(client: api)
            let ids = try sendMessages(api, to: recipient, count: 4)
            try api.expect(api.ack(linkToken: recipient.linkToken, messageIDs: [ids[1], ids[2]], auth: recipient.bearer), 200, "ack")
            let connection = try databaseConnection(stack)
            // Age them: ids[0] past 30 days; ids[1] seen and past 7 days; ids[2] seen but recent; ids[3] untouched.
            try connection.run("UPDATE messages SET created_at = NOW() - INTERVAL 31 DAY WHERE id = ?", [.int(ids[0])])
            try connection.run("UPDATE messages SET created_at = NOW() - INTERVAL 8 DAY WHERE id = ?", [.int(ids[1])])
            try connection.run("UPDATE messages SET created_at = NOW() - INTERVAL 1 DAY WHERE id = ?", [.int(ids[2])])

            let purge = try runCommand(try TestEnvironment.binary(), ["purge", "--config", stack.runDirectory + "/sealdrop.env"])
            #expect(purge.status == 0, "sealdrop purge: \(purge.output)")
            #expect(purge.output.contains("purged"))
            #expect(try remaining(ids, connection) == [ids[2], ids[3]])
        }
    }

    @Test("the responder purges by itself after responses")
    func automaticPurge() throws {
        try PrivateStack.with(name: "e2e-autopurge", settings: ["SEALDROP_PURGE_INTERVAL_SECONDS": "1"]) { stack in
            let api = try stack.client()
            let recipient = try Recipient(client: api)
            let ids = try sendMessages(api, to: recipient, count: 2)
            let connection = try databaseConnection(stack)
            try connection.run("UPDATE messages SET created_at = NOW() - INTERVAL 40 DAY WHERE id = ?", [.int(ids[0])])
            // Requests keep coming; one of them, a second or more later, triggers the batch.
            try waitUntil("an expired message is purged without a cron job", timeout: 30) {
                _ = try api.http.get("/l/\(recipient.linkToken)")
                return try remaining(ids, connection) == [ids[1]]
            }
        }
    }

    @Test("a purge that finds a full batch comes back in a second until it catches up")
    func purgeCatchesUp() throws {
        // Every 10 s a turn: one batch (500) of a table per turn and process would take
        // 10 turns for these 5,000 used nonces, over 50 s with both processes.
        try PrivateStack.with(name: "e2e-purge-catch-up", settings: ["SEALDROP_PURGE_INTERVAL_SECONDS": "10"]) { stack in
            let api = try stack.client()
            let connection = try databaseConnection(stack)
            try connection.execute("""
                INSERT INTO used_challenges (expiry, nonce)
                SELECT UNIX_TIMESTAMP() - 4000, UNHEX(LPAD(HEX(seq), 32, '0')) FROM seq_1_to_5000
                """)
            let count = "SELECT COUNT(*) FROM used_challenges"
            #expect(try connection.query(count).first?[0].int64 == 5000)
            let started = ContinuousClock.now
            try waitUntil("5,000 expired nonces purged after responses", timeout: 30, interval: 0.2) {
                _ = try api.http.get("/health")
                return try connection.query(count).first?[0].int64 == 0
            }
            print("retention: 5,000 expired nonces purged within \(ContinuousClock.now - started) of requests")
        }
    }

    private func remaining(_ ids: [Int64], _ connection: Connection) throws -> [Int64] {
        try connection.query("SELECT id FROM messages WHERE id IN (?, ?, ?, ?) ORDER BY id",
                             (0..<4).map { ids.indices.contains($0) ? .int(ids[$0]) : .int(0) })
            .compactMap { $0[0].int64 }
    }
}
