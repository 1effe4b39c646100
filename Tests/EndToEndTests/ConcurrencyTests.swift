import Sodium
import Testing
import TestSupport

/// Many clients at once, on real threads, through nginx into the worker pool.
@Suite("Concurrency")
struct ConcurrencyTests {
    /// What one sender thread saw for one message.
    struct Sent: Sendable {
        let status: Int
        let id: Int64?
        let ciphertext: String
        let plaintext: String
        let failure: String?
    }

    @Test("16 concurrent senders × 25 messages: all 201, each fetched back exactly once")
    func concurrentSenders() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let info = try api.expect(api.linkInfo(recipient.linkToken), 200, "GET /l/{token}")
        let keyBytes = try #require(info["encryption_public_key"]?.string.flatMap(Base64.decode))
        let linkToken = recipient.linkToken
        let senders = 16
        let perSender = 25

        let batches = runConcurrently(senders) { sender -> [Sent] in
            // Each thread builds its own key value from plain bytes: nothing non-Sendable crosses threads.
            guard let key = X25519PublicKey(bytes: keyBytes) else { return [] }
            return (0..<perSender).map { index in
                let plaintext = "sender \(sender) message \(index)"
                let ciphertext = Base64.encode(SealedBox.seal(Array(plaintext.utf8), to: key))
                do {
                    let response = try api.send(
                        linkToken: linkToken, ciphertext: ciphertext, metadata: ["sender": .int(Int64(sender))])
                    return Sent(status: response.status, id: response.json?["id"]?.int, ciphertext: ciphertext,
                                plaintext: plaintext, failure: response.status == 201 ? nil : response.description)
                } catch {
                    return Sent(status: 0, id: nil, ciphertext: ciphertext, plaintext: plaintext, failure: "\(error)")
                }
            }
        }
        let sent = batches.flatMap { $0 }
        #expect(sent.count == senders * perSender)
        let failures = sent.compactMap(\.failure)
        #expect(failures.isEmpty, "\(failures.count) sends failed, first: \(failures.first ?? "")")
        let byID = Dictionary(sent.compactMap { s in s.id.map { ($0, s) } }, uniquingKeysWith: { first, _ in first })
        #expect(byID.count == senders * perSender, "ids are missing or repeated")

        // Drain unseen messages page by page, acknowledging each page.
        var fetched: [Int64: JSON] = [:]
        var repeats = 0
        for _ in 0..<(senders * perSender) {
            let page = try recipient.fetchMessages()
            if page.isEmpty { break }
            var ids: [Int64] = []
            for message in page {
                let id = try #require(message["id"]?.int)
                if fetched.updateValue(message, forKey: id) != nil { repeats += 1 }
                ids.append(id)
            }
            let acked = try api.expect(api.ack(linkToken: linkToken, messageIDs: ids, auth: recipient.bearer), 200, "ack")
            #expect(acked["count"] == .int(Int64(ids.count)))
        }
        #expect(repeats == 0, "\(repeats) messages were returned twice")
        #expect(Set(fetched.keys) == Set(byID.keys), "fetched ids differ from sent ids")
        for (id, message) in fetched {
            guard let original = byID[id] else { continue }
            #expect(message["encrypted_message"]?.string == original.ciphertext, "message \(id) changed")
            #expect(message["encrypted_message"]?.string.flatMap(recipient.open) == original.plaintext)
        }

        // Everything again with include_seen, paging backwards with before_id.
        var seenIDs: [Int64] = []
        var before: Int64?
        for _ in 0..<(senders * perSender) {
            let page = try recipient.fetchMessages(includeSeen: true, limit: 50, beforeID: before)
            if page.isEmpty { break }
            let ids = page.compactMap { $0["id"]?.int }
            #expect(ids == ids.sorted(by: >), "a page is not newest first")
            if let before { #expect(ids.allSatisfy { $0 < before }, "before_id was not honoured") }
            #expect(page.allSatisfy { $0["seen"] == .bool(true) })
            seenIDs += ids
            guard let last = ids.last, last != before else { break }
            before = last
        }
        #expect(seenIDs.count == byID.count, "include_seen paging returned \(seenIDs.count) of \(byID.count)")
        #expect(Set(seenIDs) == Set(byID.keys))
    }

    @Test("Concurrent replays of one signed challenge: exactly one succeeds", arguments: 1...3)
    func concurrentChallengeReplay(round: Int) throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        try api.expect(
            api.send(linkToken: recipient.linkToken, ciphertext: api.seal("round \(round)", forLink: recipient.linkToken)),
            201, "send")
        guard case .signed(let challenge, let signature) = try recipient.signedAuth() else {
            Issue.record("signedAuth gave no signed challenge")
            return
        }
        let linkToken = recipient.linkToken
        let replays = 16
        let statuses = runConcurrently(replays) { _ -> Int in
            let auth = SealDropClient.Auth.signed(challenge: challenge, signature: signature)
            return (try? api.fetch(linkToken: linkToken, auth: auth).status) ?? 0
        }
        #expect(statuses.filter { $0 == 200 }.count == 1, "statuses of \(replays) replays: \(statuses.sorted())")
        #expect(statuses.filter { $0 == 401 }.count == replays - 1, "statuses of \(replays) replays: \(statuses.sorted())")
    }

    @Test("Concurrent challenge requests for one link are all answered, each with its own challenge", arguments: 1...3)
    func concurrentChallengeRequests(round: Int) throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let linkToken = recipient.linkToken
        let requests = 16
        let outcomes = runConcurrently(requests) { _ -> (Int, String?) in
            guard let response = try? api.challenge(linkToken: linkToken) else { return (0, nil) }
            return (response.status, response.json?["challenge"]?.string)
        }
        #expect(outcomes.allSatisfy { $0.0 == 200 }, "round \(round): \(outcomes.map(\.0).sorted())")
        let challenges = outcomes.compactMap(\.1)
        #expect(Set(challenges).count == requests, "round \(round): \(Set(challenges).count) distinct challenges")
        // Any of them works (no sixth one is refused any more).
        if let last = challenges.last {
            try api.expect(api.fetch(linkToken: linkToken, auth: .signed(challenge: last, signature: recipient.sign(last))),
                           200, "round \(round): the last challenge issued")
        }
    }

    @Test("Challenge requests and signed fetches of many links at once never fail")
    func manyLinksChallengeAndFetch() throws {
        let api = try makeAPI()
        let links = 12, fetches = 15
        let failures = runConcurrently(links) { _ -> [String] in
            var failures: [String] = []
            do {
                let recipient = try Recipient(client: api)
                for _ in 0..<fetches {
                    let response = try api.fetch(linkToken: recipient.linkToken, auth: try recipient.signedAuth())
                    if response.status != 200 { failures.append("\(response)") }
                }
            } catch {
                failures.append("\(error)")
            }
            return failures
        }.flatMap { $0 }
        #expect(failures.isEmpty, "\(failures.count) of \(links * fetches) signed fetches failed: \(failures.prefix(3))")
    }
}
