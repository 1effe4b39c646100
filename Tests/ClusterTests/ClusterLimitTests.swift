import Foundation
import Testing
import TestSupport

extension ClusterTests {
    /// One-time challenges and per-link limits hold across nodes. Each node alone
    /// would get them right; only writes are certified cluster-wide, so a check made
    /// under a node's own lock would let every node admit up to the limit at once.
    /// A used challenge's nonce is one insert on a primary key: the same key
    /// inserted through two nodes fails certification on one, which then finds it.
    @Suite("Limits across nodes")
    struct Limits {
        @Test("One signed challenge replayed at all three nodes at once: exactly one success", arguments: 1...4)
        func replayAtEveryNode(round: Int) throws {
            let cluster = try Cluster()
            let owner = try Recipient(client: cluster.nodes[round % 3])
            try cluster.api.expect(cluster.api.send(linkToken: owner.linkToken, ciphertext: sealed("round \(round)", for: owner)),
                                   201, "send")
            let auth = try cluster.signedAuth(owner, via: cluster.nodes[(round + 1) % 3])
            let (nodes, linkToken) = (cluster.nodes, owner.linkToken)
            let statuses = runConcurrently(18) { replay in
                (try? nodes[replay % 3].fetch(linkToken: linkToken, auth: auth).status) ?? 0
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(tally(statuses))")
            #expect(statuses.filter { $0 == 401 }.count == 17, "round \(round): \(tally(statuses))")
        }

        @Test("A chained challenge replayed at all three nodes at once: exactly one success and one successor", arguments: 1...2)
        func chainedReplayAtEveryNode(round: Int) throws {
            let cluster = try Cluster()
            let owner = try Recipient(client: cluster.nodes[round % 3])
            let first = try cluster.signedAuth(owner, via: cluster.nodes[(round + 1) % 3])
            let chained = try cluster.api.expect(cluster.nodes[(round + 2) % 3].fetch(linkToken: owner.linkToken, auth: first,
                                                                                      nextChallenge: true), 200, "chained fetch")
            let next = try #require(chained["next_challenge"]?.string)
            let auth = SealDropClient.Auth.signed(challenge: next, signature: owner.sign(next))
            let (nodes, linkToken) = (cluster.nodes, owner.linkToken)
            let outcomes = runConcurrently(12) { replay -> (Int, String?) in
                guard let response = try? nodes[replay % 3].fetch(linkToken: linkToken, auth: auth, nextChallenge: true) else {
                    return (0, nil)
                }
                return (response.status, response.json?["next_challenge"]?.string)
            }
            let statuses = outcomes.map(\.0)
            #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(tally(statuses))")
            #expect(statuses.filter { $0 == 401 }.count == 11, "round \(round): \(tally(statuses))")
            #expect(outcomes.compactMap(\.1).count == 1, "round \(round): successors \(outcomes.compactMap(\.1).count)")
        }

        @Test("18 challenge requests for one link through three nodes at once: all issued, none refused", arguments: 1...2)
        func challengeRequests(round: Int) throws {
            let cluster = try Cluster()
            let owner = try Recipient(client: cluster.api)
            let (nodes, linkToken) = (cluster.nodes, owner.linkToken)
            let outcomes = runConcurrently(18) { request -> (Int, String?) in
                guard let response = try? nodes[request % 3].challenge(linkToken: linkToken) else { return (0, nil) }
                return (response.status, response.json?["challenge"]?.string)
            }
            #expect(outcomes.allSatisfy { $0.0 == 200 }, "round \(round): \(tally(outcomes.map(\.0)))")
            // Every node holds the same key: a challenge issued by one is taken by the others.
            for (index, challenge) in outcomes.compactMap(\.1).prefix(3).enumerated() {
                try cluster.api.expect(nodes[index].fetch(linkToken: linkToken,
                                                          auth: .signed(challenge: challenge, signature: owner.sign(challenge))),
                                       200, "round \(round): a challenge used through node \(index + 1)")
            }
        }

        @Test("A full mailbox (150 unseen) refuses the rest: 170 concurrent sends through three nodes, 150 accepted")
        func mailboxCap() throws {
            let cluster = try Cluster()
            let owner = try Recipient(client: cluster.api)
            let statuses = Self.sendAtOnce(170, to: owner, through: cluster.nodes)
            #expect(statuses.filter { $0 == 201 }.count == 150, "\(tally(statuses))")
            #expect(statuses.filter { $0 == 429 }.count == 20, "\(tally(statuses))")
            let stored = try owner.fetchMessages(includeSeen: true, limit: 200)
            #expect(stored.count == 150)
        }

        @Test("The send rate (20 a minute per link) holds across nodes: 40 concurrent sends, 20 accepted plus what drained")
        func sendRate() throws {
            let cluster = try Cluster()
            let owner = try Recipient(client: cluster.rateLimited)
            let started = ContinuousClock.now
            let statuses = Self.sendAtOnce(40, to: owner, through: [cluster.rateLimited])
            let elapsed = ContinuousClock.now - started
            // The bucket takes a burst of 20, then drains one every 3 s: a run that
            // lasted longer may rightly accept one more per 3 s.
            let drained = Int(elapsed / .seconds(3))
            let accepted = statuses.filter { $0 == 201 }.count
            #expect((20...(20 + drained)).contains(accepted), "\(tally(statuses)) in \(elapsed)")
            #expect(accepted + statuses.filter { $0 == 429 }.count == 40, "\(tally(statuses))")
        }

        @Test("One link asking 24 recipients at once through three nodes: 20 open requests (SEALDROP_LINK_OPEN_REQUESTS), the rest 429")
        func openPermissionRequests() throws {
            let cluster = try Cluster()
            let asker = try Recipient(client: cluster.api)
            let recipients = try (0..<24).map { _ in try Recipient(client: cluster.api).linkToken }
            let (nodes, from, auth) = (cluster.nodes, asker.linkToken, asker.bearer)
            let statuses = runConcurrently(24) { index in
                (try? nodes[index % 3].call("/request_message_permission", [
                    "from_link_token": .string(from), "to_link_token": .string(recipients[index]), "from_nickname": "Ann",
                ], auth: auth).status) ?? 0
            }
            #expect(statuses.filter { $0 == 201 }.count == 20, "\(tally(statuses))")
            #expect(statuses.filter { $0 == 429 }.count == 4, "\(tally(statuses))")
        }

        /// `count` sends to `owner`'s link at once, send `i` through `apis[i % apis.count]`;
        /// their statuses.
        static func sendAtOnce(_ count: Int, to owner: Recipient, through apis: [SealDropClient]) -> [Int] {
            let boxes = (0..<count).map { sealed("m\($0)", for: owner) }
            let linkToken = owner.linkToken
            return runConcurrently(count) { sender in sendRetryingBusy(apis[sender % apis.count], linkToken, boxes[sender]) }
        }

        /// A send, sent again while it is answered 503 (a conflict that kept losing;
        /// nothing was stored), as a client honouring `Retry-After` would, only sooner.
        static func sendRetryingBusy(_ api: SealDropClient, _ linkToken: String, _ box: String) -> Int {
            for _ in 0..<5 {
                let status = (try? api.send(linkToken: linkToken, ciphertext: box).status) ?? 0
                if status != 503 { return status }
                Thread.sleep(forTimeInterval: 0.2)
            }
            return 503
        }
    }
}
