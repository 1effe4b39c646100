import Sodium
import Testing
import TestSupport

/// Authentication of `/fetch` and `/ack`, challenge handling, and the 404s for
/// unknown links. Each failed attempt must leave the messages as they were.
@Suite("Authentication and links")
struct AuthErrorTests {
    /// A registered recipient holding one unseen message; returns it and the message id.
    private func recipientWithMessage(_ api: SealDropClient) throws -> (Recipient, Int64) {
        let recipient = try Recipient(client: api)
        let ciphertext = try api.seal("for the owner only", forLink: recipient.linkToken)
        let sent = try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: ciphertext), 201, "send")
        return (recipient, try #require(sent["id"]?.int))
    }

    /// Asserts the message is still there and unseen (a failed request changed nothing).
    private func expectUnseen(_ recipient: Recipient, _ id: Int64, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let data = try recipient.fetchMessages()
        #expect(data.map { $0["id"]?.int } == [id], "the message is no longer unseen", sourceLocation: sourceLocation)
    }

    @Test("A token matches only as registered: a trailing space, other case or foreign character is an unknown link")
    func tokensMatchExactly() throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api)
        let box = try api.seal("hello", forLink: alice.linkToken)
        for variant in [alice.linkToken + " ", alice.linkToken.uppercased(), alice.linkToken + "\u{0}", " " + alice.linkToken] {
            expectError(try api.send(linkToken: variant, ciphertext: box), 404, "send to \(variant.debugDescription)")
            expectError(try api.challenge(linkToken: variant), 404, "challenge for \(variant.debugDescription)")
        }
        expectError(try api.http.get("/l/\(alice.linkToken)%20"), 404, "GET /l/ with a trailing space")
        try api.expect(api.send(linkToken: alice.linkToken, ciphertext: box), 201, "send to the token itself")
    }

    @Test("Unknown link, then bad field, then bad proof: 404, 400, 401; a refused request leaves its challenge unused")
    func fieldsBeforeProof() throws {
        let api = try makeAPI()
        let (alice, id) = try recipientWithMessage(api)
        let token = alice.linkToken
        let challenge = try #require(try api.expect(api.challenge(linkToken: token), 200, "challenge")["challenge"]?.string)
        let proof: [String: JSON] = ["challenge": .string(challenge), "challenge_signature": .string(alice.sign(challenge))]
        let badFields: [(path: String, fields: [String: JSON])] = [
            ("/fetch", ["limit": .string("ten")]),
            ("/fetch", ["next_challenge": .string("yes")]),
            ("/ack", ["message_ids": .string("all")]),
            ("/delete_messages", ["message_ids": .array([.string("one")])]),
            ("/respond_message_request", ["request_id": .int(1), "action": .string("maybe")]),
        ]
        for (path, fields) in badFields {
            let unknown = ["link_token": .string("link_" + String(repeating: "A", count: 32))].merging(fields) { a, _ in a }
            expectError(try api.http.post(path, json: .object(unknown.merging(proof) { a, _ in a })), 404,
                        "\(path) with bad fields for an unknown link")
            let mine = ["link_token": JSON.string(token)].merging(fields) { a, _ in a }
            expectError(try api.http.post(path, json: .object(mine)), 400, "\(path) with bad fields and no proof")
            expectError(try api.http.post(path, json: .object(mine.merging(proof) { a, _ in a })), 400,
                        "\(path) with bad fields and a good proof")
        }
        expectError(try api.ack(linkToken: token, messageIDs: [id], auth: .none), 401, "ack without proof")
        // Every refusal above left the challenge as it was: it still proves one request.
        try api.expect(api.ack(linkToken: token, messageIDs: [id], auth: .signed(challenge: challenge,
                                                                                signature: alice.sign(challenge))),
                       200, "ack with the challenge the refused requests carried")
        expectError(try api.ack(linkToken: token, messageIDs: [id], auth: .signed(challenge: challenge,
                                                                                 signature: alice.sign(challenge))),
                    401, "the same challenge again")
    }

    @Test("Fetch without, or with wrong, credentials is 401")
    func fetchRejected() throws {
        let api = try makeAPI()
        let (alice, id) = try recipientWithMessage(api)
        let bob = try Recipient(client: api)
        let token = alice.linkToken
        expectError(try api.fetch(linkToken: token, auth: .none), 401, "fetch without auth")
        let forged = Base64.encodeURLSafeNoPadding(randomBytes(48))
        expectError(try api.fetch(linkToken: token, auth: .bearer(forged)), 401, "fetch with a made-up bearer")
        expectError(try api.fetch(linkToken: token, auth: bob.bearer), 401, "fetch with another link's bearer")
        let prefix = String(alice.registration.fetchToken.dropLast())
        expectError(try api.fetch(linkToken: token, auth: .bearer(prefix)), 401, "fetch with a truncated bearer")
        for header in ["Bearer", "Bearer ", "Basic \(alice.registration.fetchToken)", alice.registration.fetchToken] {
            let response = try api.http.post(
                "/fetch", json: ["link_token": .string(token)], headers: [("Authorization", header)])
            expectError(response, 401, "fetch with Authorization \(header.prefix(7))…")
        }
        let onlyChallenge = try api.http.post(
            "/fetch", json: ["link_token": .string(token), "challenge": .string(Base64.encode(randomBytes(32)))])
        expectError(onlyChallenge, 401, "fetch with a challenge but no signature")
        try expectUnseen(alice, id)
    }

    @Test("Bad signatures, foreign, made-up and used challenges are 401")
    func challengeRejected() throws {
        let api = try makeAPI()
        let (alice, id) = try recipientWithMessage(api)
        let bob = try Recipient(client: api)
        let token = alice.linkToken

        let c1 = try challenge(api, alice)
        let otherKey = SigningKeyPair()
        let wrongSignature = Base64.encode(otherKey.signature(for: Array(c1.utf8)))
        expectError(try api.fetch(linkToken: token, auth: .signed(challenge: c1, signature: wrongSignature)), 401,
            "fetch with a signature by another key")
        let c2 = try challenge(api, alice)
        let zeros = Base64.encode([UInt8](repeating: 0, count: 64))
        expectError(try api.fetch(linkToken: token, auth: .signed(challenge: c2, signature: zeros)), 401,
            "fetch with an all-zero signature")
        let c3 = try challenge(api, alice)
        expectError(try api.fetch(linkToken: token, auth: .signed(challenge: c3, signature: alice.sign(c1))), 401,
            "fetch with the signature of a different challenge")

        let bobs = try challenge(api, bob)
        expectError(try api.fetch(linkToken: token, auth: .signed(challenge: bobs, signature: alice.sign(bobs))), 401,
            "fetch with another link's challenge signed by the owner")
        expectError(try api.fetch(linkToken: token, auth: .signed(challenge: bobs, signature: bob.sign(bobs))), 401,
            "fetch with another link's challenge signed by its owner")
        let madeUp = Base64.encode(randomBytes(32))
        expectError(try api.fetch(linkToken: token, auth: .signed(challenge: madeUp, signature: alice.sign(madeUp))),
            401, "fetch with a challenge the server never issued")
        try expectUnseen(alice, id)

        let fresh = try challenge(api, alice)
        let auth = SealDropClient.Auth.signed(challenge: fresh, signature: alice.sign(fresh))
        try api.expect(api.fetch(linkToken: token, auth: auth), 200, "fetch with a fresh signed challenge")
        expectError(try api.fetch(linkToken: token, auth: auth), 401, "fetch reusing a used challenge")
        expectError(try api.ack(linkToken: token, messageIDs: [id], auth: auth), 401, "ack reusing a used challenge")
        try expectUnseen(alice, id)
    }

    @Test("A challenge matches only byte for byte: with a space or tab after it, signed, it is 401 and stays unused")
    func challengeMatchesExactly() throws {
        let api = try makeAPI()
        let (alice, id) = try recipientWithMessage(api)
        let token = alice.linkToken
        for chaining in [false, true] {
            let issued = try challenge(api, alice)
            for variant in [issued + " ", issued + "  ", issued + "\t", " " + issued] {
                let response = try api.fetch(linkToken: token, auth: .signed(challenge: variant, signature: alice.sign(variant)),
                                             nextChallenge: chaining)
                expectError(response, 401, "fetch with \(variant.debugDescription) signed (chaining \(chaining))")
            }
            try expectUnseen(alice, id)
            let fetched = try api.expect(api.fetch(linkToken: token, auth: .signed(challenge: issued, signature: alice.sign(issued)),
                                                   nextChallenge: chaining),
                                         200, "the challenge itself still works (chaining \(chaining))")
            #expect((fetched["next_challenge"] != nil) == chaining)
        }
    }

    @Test("Ack without, or with wrong, credentials is 401 and marks nothing")
    func ackRejected() throws {
        let api = try makeAPI()
        let (alice, id) = try recipientWithMessage(api)
        let (bob, bobsID) = try recipientWithMessage(api)
        let token = alice.linkToken
        expectError(try api.ack(linkToken: token, messageIDs: [id], auth: .none), 401, "ack without auth")
        expectError(try api.ack(linkToken: token, messageIDs: [id], auth: bob.bearer), 401,
            "ack with another link's bearer")
        let bobs = try challenge(api, bob)
        expectError(
            try api.ack(linkToken: token, messageIDs: [id], auth: .signed(challenge: bobs, signature: bob.sign(bobs))),
            401, "ack with another link's signed challenge")
        try expectUnseen(alice, id)

        // Bob, properly authenticated for his own link, names Alice's message id:
        // acks are scoped to the link, so Alice's message must stay unseen.
        let crossed = try api.ack(linkToken: bob.linkToken, messageIDs: [id], auth: bob.bearer)
        #expect(crossed.status == 200, "ack of a foreign id: \(crossed)")
        try expectUnseen(alice, id)
        try expectUnseen(bob, bobsID)

        let signed = try api.ack(linkToken: token, messageIDs: [id], auth: alice.signedAuth())
        #expect(try api.expect(signed, 200, "ack with a signed challenge")["count"] == .int(1))
        #expect(try alice.fetchMessages().isEmpty)
    }

    @Test("Malformed fetch, ack and challenge bodies are 400")
    func malformedBodies() throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api)
        let token = JSON.string(alice.linkToken)
        let bearer = [("Authorization", "Bearer \(alice.registration.fetchToken)")]
        for path in ["/fetch", "/ack", "/challenge_request"] {
            for text in ["{", "[]", "", "null"] {
                expectError(try api.http.post(path, text: text, headers: bearer), 400, "\(path) body \(text.debugDescription)")
            }
            expectError(try api.http.post(path, json: [:], headers: bearer), 400, "\(path) without link_token")
            expectError(try api.http.post(path, json: ["link_token": 5], headers: bearer), 400,
                "\(path) with a numeric link_token")
        }
        let ackBodies: [(String, JSON)] = [
            ("no message_ids", ["link_token": token]),
            ("message_ids string", ["link_token": token, "message_ids": "1"]),
            ("message_ids number", ["link_token": token, "message_ids": 1]),
            ("message_ids of strings", ["link_token": token, "message_ids": ["a"]]),
            ("message_ids with null", ["link_token": token, "message_ids": [1, nil]]),
        ]
        for (name, body) in ackBodies {
            expectError(try api.http.post("/ack", json: body, headers: bearer), 400, "ack with \(name)")
        }
        expectError(
            try api.http.post("/fetch", json: ["link_token": token, "include_seen": "yes"], headers: bearer), 400,
            "fetch with include_seen a string")
    }

    @Test("Unknown links are 404 on every endpoint")
    func unknownLinks() throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api)
        for token in [unknownLinkToken(), "nope"] {
            expectError(try api.linkInfo(token), 404, "GET /l/ unknown")
            expectError(try api.challenge(linkToken: token), 404, "challenge for unknown link")
            expectError(try api.fetch(linkToken: token, auth: alice.bearer), 404, "fetch for unknown link")
            expectError(try api.fetch(linkToken: token, auth: .none), 404, "fetch for unknown link, no auth")
            expectError(try api.ack(linkToken: token, messageIDs: [1], auth: alice.bearer), 404, "ack for unknown link")
        }
        expectError(try api.http.get("/l/"), 404, "GET /l/ without token")
    }

    private func challenge(_ api: SealDropClient, _ recipient: Recipient) throws -> String {
        let json = try api.expect(api.challenge(linkToken: recipient.linkToken), 200, "POST /challenge_request")
        return try #require(json["challenge"]?.string)
    }
}
