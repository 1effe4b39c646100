import Testing
import TestSupport

extension ClusterTests {
    /// Every endpoint through the cluster, each step through another node than the
    /// one before, at once: what one node wrote, the next must read.
    @Suite("Every endpoint across nodes")
    struct Flow {
        @Test("register, send, challenge, fetch, ack, contacts, permissions, delete, rotate, unregister")
        func everyEndpoint() throws {
            let cluster = try Cluster()
            let (one, two, three) = (cluster.nodes[0], cluster.nodes[1], cluster.nodes[2])
            for node in cluster.nodes { try node.expect(node.http.get("/health"), 200, "GET /health") }

            let alice = try Recipient(client: one, displayName: "Alice")
            let info = try two.expect(two.linkInfo(alice.linkToken), 200, "GET /l/{token} through node 2")
            #expect(info["display_name"]?.string == "Alice")
            let box = try three.seal("hello through node 3", forLink: alice.linkToken)
            let sent = try three.expect(three.send(linkToken: alice.linkToken, ciphertext: box), 201, "send through node 3")
            let id = try #require(sent["id"]?.int)

            // A challenge asked through one node, used through another.
            let signed = try two.expect(two.fetch(linkToken: alice.linkToken, auth: cluster.signedAuth(alice, via: one)),
                                        200, "signed fetch through node 2, challenge from node 1")
            #expect(messageIDs(signed) == [id])
            #expect(signed["data"]?.array?.first?["encrypted_message"]?.string.flatMap(alice.open) == "hello through node 3")
            #expect(messageIDs(try three.expect(three.fetch(linkToken: alice.linkToken, auth: alice.bearer), 200, "bearer fetch")) == [id])
            let acked = try one.expect(one.ack(linkToken: alice.linkToken, messageIDs: [id], auth: alice.bearer), 200, "ack through node 1")
            #expect(acked["count"]?.int == 1)
            #expect(messageIDs(try two.expect(two.fetch(linkToken: alice.linkToken, auth: alice.bearer), 200, "unseen")).isEmpty)
            let seen = try three.expect(three.fetch(linkToken: alice.linkToken, auth: alice.bearer, includeSeen: true), 200, "seen")
            #expect(seen["data"]?.array?.first?["seen"] == .bool(true))

            // A chain of challenges, each link of it used through another node.
            let first = try one.expect(one.fetch(linkToken: alice.linkToken, auth: cluster.signedAuth(alice, via: three),
                                                 nextChallenge: true), 200, "chained fetch through node 1")
            let next = try #require(first["next_challenge"]?.string)
            try two.expect(two.fetch(linkToken: alice.linkToken, auth: .signed(challenge: next, signature: alice.sign(next))),
                           200, "the next challenge through node 2")

            let contact = try three.expect(three.call("/check_contact", ["link_token": .string(alice.linkToken)]), 200, "check_contact")
            #expect(contact["exists"]?.bool == true)

            // Permission: asked through node 3, listed through 1, accepted through 2, used through 3.
            let bob = try Recipient(client: two, displayName: "Bob")
            let request: [String: JSON] = ["from_link_token": .string(bob.linkToken), "to_link_token": .string(alice.linkToken),
                                           "from_nickname": "Bob"]
            let pending = try three.expect(three.call("/request_message_permission", request, auth: bob.bearer), 201, "request")
            let requestID = try #require(pending["request_id"]?.int)
            let listed = try one.expect(one.call("/get_message_requests", ["link_token": .string(alice.linkToken)], auth: alice.bearer),
                                        200, "get_message_requests through node 1")
            #expect(listed["data"]?.array?.compactMap { $0["id"]?.int } == [requestID])
            try two.expect(two.call("/respond_message_request", ["link_token": .string(alice.linkToken), "request_id": .int(requestID),
                                                                  "action": "accept"], auth: alice.bearer), 200, "accept through node 2")
            let identified = try three.expect(three.call("/send", ["link_token": .string(alice.linkToken),
                                                                   "encrypted_message": .string(sealed("from bob", for: alice)),
                                                                   "from_link_token": .string(bob.linkToken)], auth: bob.bearer),
                                              201, "identified send through node 3")
            let identifiedID = try #require(identified["id"]?.int)

            let deleted = try one.expect(one.call("/delete_messages", ["link_token": .string(alice.linkToken),
                                                                      "message_ids": .array([.int(id), .int(identifiedID)])],
                                                  auth: alice.bearer), 200, "delete_messages through node 1")
            #expect(deleted["count"]?.int == 2)
            #expect(messageIDs(try three.expect(three.fetch(linkToken: alice.linkToken, auth: alice.bearer, includeSeen: true),
                                                200, "after delete")).isEmpty)

            let rotated = try two.expect(two.call("/rotate_fetch_token", ["link_token": .string(alice.linkToken)], auth: alice.bearer),
                                         200, "rotate through node 2")
            let fresh = try #require(rotated["fetch_token"]?.string)
            try three.expect(three.fetch(linkToken: alice.linkToken, auth: .bearer(fresh)), 200, "the new token through node 3")
            #expect(try one.fetch(linkToken: alice.linkToken, auth: alice.bearer).status == 401, "the old token through node 1")

            try three.expect(three.call("/unregister", ["link_token": .string(alice.linkToken)], auth: cluster.signedAuth(alice, via: one)),
                             200, "unregister through node 3")
            #expect(try one.linkInfo(alice.linkToken).status == 404)
            #expect(try two.send(linkToken: alice.linkToken, ciphertext: box).status == 404)
        }

        /// Nodes apply each other's writes a moment later, the later the busier they
        /// are; a client going from one node to the next must not see that (reads
        /// wait: `wsrep_sync_wait`). Without the wait, about one read in ten missed here.
        @Test("Read after write through another node, at once, under load: 60 rounds, nothing missing")
        func readAfterWrite() throws {
            let cluster = try Cluster()
            let load = cluster.sendLoad(connections: 3)
            defer { _ = load.stop() }
            var misses: [String] = []
            for round in 0..<60 {
                let writer = cluster.nodes[round % 3], reader = cluster.nodes[(round + 1) % 3]
                let owner = try Recipient(client: writer)
                // Registered through one node, its challenges asked through the next.
                let challenge = try reader.challenge(linkToken: owner.linkToken)
                if challenge.status != 200 { misses.append("round \(round): challenge after register: \(challenge)") }
                let sent = try writer.expect(writer.send(linkToken: owner.linkToken, ciphertext: sealed("r\(round)", for: owner)), 201, "send")
                let id = try #require(sent["id"]?.int)
                let fetched = try reader.fetch(linkToken: owner.linkToken, auth: owner.bearer)
                if !(fetched.json.map(messageIDs) ?? []).contains(id) { misses.append("round \(round): fetch after send: \(fetched)") }
                let signed = try reader.fetch(linkToken: owner.linkToken, auth: cluster.signedAuth(owner, via: writer))
                if signed.status != 200 { misses.append("round \(round): signed fetch after challenge: \(signed)") }
                try writer.expect(writer.ack(linkToken: owner.linkToken, messageIDs: [id], auth: owner.bearer), 200, "ack")
                let unseen = try reader.fetch(linkToken: owner.linkToken, auth: owner.bearer)
                if (unseen.json.map(messageIDs) ?? [id]).contains(id) { misses.append("round \(round): unseen after ack: \(unseen)") }
            }
            #expect(misses.isEmpty, "\(misses.count) reads missed a write of another node: \(misses.prefix(3))")
        }
    }
}
