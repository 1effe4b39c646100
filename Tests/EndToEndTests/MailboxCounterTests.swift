import MariaDB
import Sodium
import Testing
import TestSupport

/// Issue 6: a send checks its mailbox on counters kept on the link's row
/// (`unseen_messages`, `unseen_bytes`) instead of scanning the link's messages,
/// so every path that changes what is unseen must keep them exact. Sends take
/// one round trip through the stored procedure `sealdrop_send`, or separate
/// statements where it is missing; both ways are run.
@Suite("Mailbox counters", .serialized)
struct MailboxCounterTests {
    struct Mailbox: Equatable, CustomStringConvertible {
        let messages: Int64
        let bytes: Int64
        var description: String { "\(messages) messages, \(bytes) bytes" }
    }

    /// What the link's row says.
    private func counters(_ link: String, _ connection: Connection) throws -> Mailbox {
        let row = try #require(try connection.query(
            "SELECT unseen_messages, unseen_bytes FROM clients WHERE link_token = ?", [.text(link)]).first)
        return Mailbox(messages: row[0].int64 ?? -1, bytes: row[1].int64 ?? -1)
    }

    /// What the messages themselves say: a message takes its ciphertext and its metadata.
    private func truth(_ link: String, _ connection: Connection) throws -> Mailbox {
        let row = try #require(try connection.query("""
            SELECT COUNT(*), COALESCE(SUM(LENGTH(encrypted_message) + COALESCE(LENGTH(metadata), 0)), 0) FROM messages
            WHERE link_token = ? AND seen = FALSE
            """, [.text(link)]).first)
        return Mailbox(messages: row[0].int64 ?? -1, bytes: row[1].int64 ?? -1)
    }

    private func expectExact(_ link: String, _ connection: Connection, unseen: Int64, _ what: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let counted = try counters(link, connection), actual = try truth(link, connection)
        #expect(counted == actual, "\(what): the row says \(counted), the messages \(actual)", sourceLocation: sourceLocation)
        #expect(actual.messages == unseen, "\(what): \(actual.messages) unseen", sourceLocation: sourceLocation)
    }

    @Test("sends, acks, deletes and purges keep the counters equal to the unseen messages", arguments: SendPath.allCases)
    func countersFollowEveryChange(_ path: SendPath) throws {
        try PrivateStack.with(name: "e2e-counters", settings: ["SEALDROP_PURGE_INTERVAL_SECONDS": "0"]) { stack in
            let api = try stack.client()
            let recipient = try Recipient(client: api)
            let link = recipient.linkToken
            let connection = try databaseConnection(stack)
            try path.prepare(connection)
            try expectExact(link, connection, unseen: 0, "a new link")

            let ids = try sendMessages(api, to: recipient, count: 6, prefix: "a longer or shorter text ",
                                       metadata: ["sender_nick": "metadata counts as much as it stores"])
            try expectExact(link, connection, unseen: 6, "after six sends")

            func ack(_ chosen: [Int64]) throws -> Int64? {
                try api.expect(api.ack(linkToken: link, messageIDs: chosen, auth: recipient.bearer), 200, "ack")["count"]?.int
            }
            #expect(try ack([ids[0], ids[1], ids[0], ids[1], ids[1]]) == 2, "repeated ids count once")
            try expectExact(link, connection, unseen: 4, "after acknowledging two, named five times")
            #expect(try ack([ids[1], ids[2], ids[2] + 1_000_000]) == 1, "one already seen, one unknown")
            try expectExact(link, connection, unseen: 3, "after acknowledging one seen and one new")

            let deleted = try api.expect(call(api, "/delete_messages", ["link_token": .string(link),
                                                                        "message_ids": .array([.int(ids[0]), .int(ids[3]),
                                                                                               .int(ids[3])])],
                                              auth: recipient.bearer), 200, "delete one seen and one unseen")
            #expect(deleted["count"]?.int == 2)
            try expectExact(link, connection, unseen: 2, "after deleting one seen and one unseen")

            // Past retention: ids[4] unseen (30 days), ids[2] seen (7 days).
            try connection.run("UPDATE messages SET created_at = NOW() - INTERVAL 31 DAY WHERE id = ?", [.int(ids[4])])
            try connection.run("UPDATE messages SET created_at = NOW() - INTERVAL 8 DAY WHERE id = ?", [.int(ids[2])])
            let purge = try runCommand(try TestEnvironment.binary(), ["purge", "--config", stack.runDirectory + "/sealdrop.env"])
            #expect(purge.status == 0, "sealdrop purge: \(purge.output)")
            #expect(try connection.query("SELECT id FROM messages WHERE link_token = ?", [.text(link)])
                .compactMap { $0[0].int64 } == [ids[1], ids[5]])
            try expectExact(link, connection, unseen: 1, "after purging one unseen and one seen message")
        }
    }

    @Test("a mailbox counted fuller than it is gets recounted before a send is refused", arguments: SendPath.allCases)
    func overcountedMailboxIsRecounted(_ path: SendPath) throws {
        try PrivateStack.with(name: "e2e-recount", settings: ["SEALDROP_MAILBOX_MAX_MESSAGES": "3"]) { stack in
            let api = try stack.client()
            let recipient = try Recipient(client: api)
            let link = recipient.linkToken
            let connection = try databaseConnection(stack)
            try path.prepare(connection)
            _ = try sendMessages(api, to: recipient, count: 1)
            // What a send that failed after taking its place, and could not give it
            // back, leaves behind: the row counts messages that are not there.
            try connection.run("UPDATE clients SET unseen_messages = 3, unseen_bytes = unseen_bytes + 5000 WHERE link_token = ?",
                               [.text(link)])
            _ = try sendMessages(api, to: recipient, count: 2, prefix: "after the recount ")
            try expectExact(link, connection, unseen: 3, "after the recount and two sends")
            let box = Base64.encode(SealedBox.seal(Array("one too many".utf8), to: recipient.boxKeys.publicKey))
            let refused = try api.send(linkToken: link, ciphertext: box)
            #expect(refused.status == 429, "a really full mailbox is still refused: \(refused)")
            try expectExact(link, connection, unseen: 3, "after the refusal")
        }
    }

    @Test("concurrent sends and acknowledgements leave the counters exact", arguments: SendPath.allCases)
    func concurrentSendsAndAcks(_ path: SendPath) throws {
        try PrivateStack.with(name: "e2e-counters-race") { stack in
            try path.prepare(try databaseConnection(stack))
            let api = try stack.client()
            let recipient = try Recipient(client: api)
            let link = recipient.linkToken
            let keyBytes = recipient.boxKeys.publicKey.bytes
            let bearer = recipient.bearer
            // Half the threads send 20 messages each; the other half acknowledge
            // whatever they find unseen, 20 rounds each, at the same time.
            let outcomes = runConcurrently(8) { thread -> [String] in
                var failures: [String] = []
                guard let key = X25519PublicKey(bytes: keyBytes), let client = try? stack.client() else { return ["set-up"] }
                for round in 0..<20 {
                    do {
                        if thread % 2 == 0 {
                            let box = Base64.encode(SealedBox.seal(Array("t\(thread) r\(round)".utf8), to: key))
                            let sent = try client.send(linkToken: link, ciphertext: box)
                            if sent.status != 201 { failures.append("send: \(sent)") }
                        } else {
                            let page = try client.fetch(linkToken: link, auth: bearer)
                            let unseen = (page.json?["data"]?.array ?? []).compactMap { $0["id"]?.int }
                            let acked = try client.ack(linkToken: link, messageIDs: unseen.isEmpty ? [1] : unseen, auth: bearer)
                            if acked.status != 200 { failures.append("ack: \(acked)") }
                        }
                    } catch {
                        failures.append("\(error)")
                    }
                }
                return failures
            }
            let failures = outcomes.flatMap { $0 }
            #expect(failures.isEmpty, "\(failures.count) requests failed, first: \(failures.first ?? "")")
            let connection = try databaseConnection(stack)
            let counted = try counters(link, connection), actual = try truth(link, connection)
            #expect(counted == actual, "the row says \(counted), the messages \(actual)")
            let total = try connection.query("SELECT COUNT(*) FROM messages WHERE link_token = ?", [.text(link)]).first?[0].int64
            #expect(total == 80, "every send was stored")
        }
    }
}

/// How the responder under test stores a message.
enum SendPath: String, CaseIterable, CustomStringConvertible, Sendable {
    /// Through `sealdrop_send`, as `sealdrop migrate` sets up.
    case procedure
    /// In separate statements, as on a host that forbids `CREATE ROUTINE`.
    case statements

    var description: String { rawValue }

    func prepare(_ connection: Connection) throws {
        switch self {
        case .procedure:
            let found = try connection.query("""
                SELECT COUNT(*) FROM information_schema.routines
                WHERE routine_schema = DATABASE() AND routine_name = 'sealdrop_send'
                """).first?[0].int64
            #expect(found == 1, "sealdrop migrate made the procedure")
        case .statements:
            try connection.execute("DROP PROCEDURE sealdrop_send")
        }
    }
}

@Suite("Send limits on both send paths")
struct SendLimitPathTests {
    @Test("the byte cap and the send rate hold, with the messages the API promises", arguments: SendPath.allCases)
    func byteCapAndRate(_ path: SendPath) throws {
        try PrivateStack.with(name: "e2e-sendlimits", settings: ["SEALDROP_LINK_SENDS_PER_MINUTE": "4",
                                                                 "SEALDROP_MAILBOX_MAX_BYTES": "1024"]) { stack in
            try path.prepare(try databaseConnection(stack))
            let api = try stack.client()
            let recipient = try Recipient(client: api)
            func send(_ plaintext: String, metadata: JSON? = nil) throws -> HTTPResponse {
                let box = Base64.encode(SealedBox.seal(Array(plaintext.utf8), to: recipient.boxKeys.publicKey))
                return try api.send(linkToken: recipient.linkToken, ciphertext: box, metadata: metadata)
            }
            for index in 0..<3 { #expect(try send("small \(index)").status == 201) }
            // 1,048 bytes sealed, 1,400 as base64: past the 1,024-byte mailbox.
            let big = try send(String(repeating: "x", count: 1000))
            #expect(big.status == 429 && big.errorMessage == "The recipient's mailbox is full", "\(big)")
            // 68 bytes of base64 and 911 of metadata: the metadata is stored too, and counted.
            let heavy = try send("m", metadata: ["note": .string(String(repeating: "n", count: 900))])
            #expect(heavy.status == 429 && heavy.errorMessage == "The recipient's mailbox is full", "\(heavy)")
            #expect(try send("small 3").status == 201, "a refused send does not count against the rate")
            let fast = try send("small 4")
            #expect(fast.status == 429 && fast.errorMessage == "Too many messages to this link; slow down", "\(fast)")
            #expect(fast.header("Retry-After") == "15", "4 a minute: room for one more every 15 s")
        }
    }
}
