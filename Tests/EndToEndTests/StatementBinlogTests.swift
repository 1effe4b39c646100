import MariaDB
import Testing
import TestSupport

/// A server writing a statement-based binary log refuses InnoDB writes under
/// READ COMMITTED (error 1665), so there SealDrop's sessions keep the server's
/// REPEATABLE READ (DatabaseSession.prepareSession). This stack's MariaDB runs
/// such a log: every write path must still work, and the challenge limit hold.
@Suite("Statement-based binary log", .serialized)
struct StatementBinlogTests {
    @Test("sends, challenges, fetches, acks and deletes all work, and exactly five challenges are issued")
    func everyWritePathWorks() throws {
        let options = "log-bin = sealdrop-bin\nserver-id = 1\nbinlog_format = STATEMENT"
        try PrivateStack.with(name: "e2e-binlog", settings: ["DB_EXTRA_CNF": options]) { stack in
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

            // The challenge limit under REPEATABLE READ, with requests racing.
            let other = try Recipient(client: api).linkToken
            let statuses = runConcurrently(16) { _ -> Int in (try? api.challenge(linkToken: other).status) ?? 0 }
            #expect(statuses.filter { $0 == 200 }.count == 5, "\(statuses.sorted())")
            #expect(statuses.filter { $0 == 429 }.count == 11, "\(statuses.sorted())")
        }
    }
}
