import MariaDB
import Testing
import TestSupport

/// A server writing a statement-based binary log refuses InnoDB writes under
/// READ COMMITTED (error 1665), so there SealDrop's sessions keep the server's
/// REPEATABLE READ (DatabaseSession.prepareSession). This stack's MariaDB runs
/// such a log: every write path must still work, and a challenge prove one request.
/// It also counts the stack's write statements: issuing a challenge makes none,
/// using one exactly one insert.
@Suite("Statement-based binary log", .serialized)
struct StatementBinlogTests {
    @Test("sends, challenges, fetches, acks and deletes all work; issuing a challenge writes nothing, using one inserts once")
    func everyWritePathWorks() throws {
        let options = "log-bin = sealdrop-bin\nserver-id = 1\nbinlog_format = STATEMENT"
        try PrivateStack.with(name: "e2e-binlog", settings: [
            "DB_EXTRA_CNF": options,
            // One process, no purge: the write counters below see only the requests.
            "SEALDROP_PROCESSES": "1", "SEALDROP_PURGE_INTERVAL_SECONDS": "0",
        ]) { stack in
            let connection = try databaseConnection(stack)
            let server = try #require(try connection.query("SELECT @@log_bin, @@binlog_format").first)
            #expect(server[0].int64 == 1 && server[1].string == "STATEMENT",
                    "the stack's MariaDB is not logging statements: \(server[0]), \(server[1])")

            let api = try stack.client()
            let recipient = try Recipient(client: api)
            let link = recipient.linkToken
            var ids: [Int64] = []
            for index in 0..<3 {
                let sent = try api.expect(api.send(linkToken: link, ciphertext: api.seal("message \(index)", forLink: link)),
                                          201, "send \(index)")
                ids.append(try #require(sent["id"]?.int))
            }
            let fetched = try api.expect(api.fetch(linkToken: link, auth: try recipient.signedAuth()), 200, "signed fetch")
            #expect(fetched["data"]?.array?.compactMap { $0["id"]?.int }.sorted() == ids)

            let challenge = try #require(try api.expect(api.challenge(linkToken: link), 200, "challenge")["challenge"]?.string)
            let chained = try api.expect(api.fetch(linkToken: link, auth: .signed(challenge: challenge,
                                                                                signature: recipient.sign(challenge)),
                                                   nextChallenge: true), 200, "chained fetch")
            let next = try #require(chained["next_challenge"]?.string)
            try api.expect(api.ack(linkToken: link, messageIDs: [ids[0]], auth: .signed(challenge: next,
                                                                                        signature: recipient.sign(next))),
                           200, "ack with the chained challenge")
            let deleted = try api.expect(api.http.post("/delete_messages", json: .object([
                "link_token": .string(link), "message_ids": .array([.int(ids[1])])]),
                headers: [("Authorization", "Bearer \(recipient.registration.fetchToken)")]), 200, "delete")
            #expect(deleted["count"] == .int(1))
            let counters = try #require(try connection.query(
                "SELECT unseen_messages FROM clients WHERE link_token = ?", [.text(link)]).first)
            #expect(counters[0].int64 == 1, "one message is left unseen")

            // Issuing writes nothing: the process has its challenge key and the
            // link's key by now (the fetches above), so 20 challenges are answered
            // without one write statement on the server.
            let before = try writeCounts(connection)
            var issued: [String] = []
            for index in 0..<20 {
                issued.append(try #require(try api.expect(api.challenge(linkToken: link), 200, "challenge \(index)")["challenge"]?.string))
            }
            let afterIssuing = try writeCounts(connection)
            #expect(afterIssuing == before, "issuing 20 challenges wrote: \(difference(before, afterIssuing))")
            // Using one is exactly one insert (its nonce), and nothing else.
            try api.expect(api.fetch(linkToken: link, auth: .signed(challenge: issued[0], signature: recipient.sign(issued[0]))),
                           200, "signed fetch")
            let afterUse = try writeCounts(connection)
            #expect(difference(afterIssuing, afterUse) == ["COM_INSERT_SELECT": 1],
                    "a signed fetch wrote: \(difference(afterIssuing, afterUse))")

            // Concurrent replays under REPEATABLE READ: exactly one passes.
            let replayed = issued[1], signature = recipient.sign(issued[1])
            let statuses = runConcurrently(16) { _ -> Int in
                (try? api.fetch(linkToken: link, auth: .signed(challenge: replayed, signature: signature)).status) ?? 0
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses.sorted())")
            #expect(statuses.filter { $0 == 401 }.count == 15, "\(statuses.sorted())")
        }
    }

    /// The server's counts of statements that write, by name.
    private func writeCounts(_ connection: Connection) throws -> [String: Int64] {
        let rows = try connection.query("""
            SELECT UPPER(VARIABLE_NAME) AS name, VARIABLE_VALUE AS value FROM information_schema.GLOBAL_STATUS
            WHERE UPPER(VARIABLE_NAME) IN ('COM_INSERT', 'COM_INSERT_SELECT', 'COM_UPDATE', 'COM_UPDATE_MULTI', 'COM_DELETE',
                                           'COM_DELETE_MULTI', 'COM_REPLACE', 'COM_REPLACE_SELECT', 'COM_CALL_PROCEDURE')
            """)
        var counts: [String: Int64] = [:]
        for row in rows { counts[try row.decode("name", as: String.self)] = Int64(try row.decode("value", as: String.self)) }
        return counts
    }

    private func difference(_ before: [String: Int64], _ after: [String: Int64]) -> [String: Int64] {
        after.compactMapValues { $0 }.filter { before[$0.key] != $0.value }
            .reduce(into: [:]) { $0[$1.key] = $1.value - (before[$1.key] ?? 0) }
    }
}
