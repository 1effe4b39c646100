import MariaDB
import Testing
import TestSupport

/// `"next_challenge": true` on a challenge-authenticated `/fetch` (issue 6): the
/// used challenge's row takes a fresh nonce, returned as `next_challenge`, so a
/// polling client makes one request per fetch. Each challenge still proves
/// exactly one request, and the link's outstanding count never grows by it.
@Suite("Chained challenges")
struct ChainedChallengeTests {
    /// A signed, chained fetch with `fields` added; returns the response and its `next_challenge`.
    private func chainedFetch(_ recipient: Recipient, _ challenge: String,
                              _ fields: [String: JSON] = [:]) throws -> (HTTPResponse, String?) {
        let body = fields.merging(["link_token": .string(recipient.linkToken), "next_challenge": true]) { _, own in own }
        let response = try recipient.client.call(
            "/fetch", body, auth: .signed(challenge: challenge, signature: recipient.sign(challenge)))
        return (response, response.json?["next_challenge"]?.string)
    }

    private func firstChallenge(_ recipient: Recipient) throws -> String {
        let json = try recipient.client.expect(recipient.client.challenge(linkToken: recipient.linkToken), 200,
                                               "POST /challenge_request")
        return try #require(json["challenge"]?.string)
    }

    @Test("Each chained fetch returns the messages and a new challenge; a used one never works again")
    func chainOfFetches() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let sent = try api.expect(
            api.send(linkToken: recipient.linkToken, ciphertext: api.seal("chained", forLink: recipient.linkToken)),
            201, "send")
        var challenge = try firstChallenge(recipient)
        var used: [String] = []
        for round in 1...4 {
            let (response, next) = try chainedFetch(recipient, challenge)
            let json = try api.expect(response, 200, "chained fetch \(round)")
            #expect(json["data"]?.array?.first?["id"] == sent["id"], "round \(round): the message is missing")
            let nextChallenge = try #require(next, "round \(round): no next_challenge in \(json)")
            #expect(Base64Shape.isChallenge(nextChallenge), "round \(round): next_challenge is \(nextChallenge)")
            #expect(nextChallenge != challenge && !used.contains(nextChallenge))
            used.append(challenge)
            challenge = nextChallenge
        }
        for old in used {
            let (response, next) = try chainedFetch(recipient, old)
            #expect(response.status == 401, "a used challenge answered \(response.status)")
            #expect(next == nil)
        }
        // The last one also works as an ordinary challenge, and then is gone.
        let plain = try api.expect(api.fetch(linkToken: recipient.linkToken,
                                             auth: .signed(challenge: challenge, signature: recipient.sign(challenge))),
                                   200, "plain fetch with a chained challenge")
        #expect(plain["next_challenge"] == nil, "asked for nothing, got \(plain)")
        #expect(try chainedFetch(recipient, challenge).0.status == 401)
    }

    @Test("Chaining keeps the link's outstanding challenges at what they were")
    func outstandingCountUnchanged() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let issued = try (0..<5).map { _ in try firstChallenge(recipient) }
        #expect(try api.challenge(linkToken: recipient.linkToken).status == 429, "a sixth challenge was issued")
        var challenge = issued[0]
        for round in 1...3 {
            let (response, next) = try chainedFetch(recipient, challenge)
            try api.expect(response, 200, "chained fetch \(round)")
            challenge = try #require(next)
            #expect(try api.challenge(linkToken: recipient.linkToken).status == 429,
                    "round \(round): chaining freed or added a slot")
        }
        // Using the chained one without asking for another frees its slot.
        try api.expect(api.fetch(linkToken: recipient.linkToken,
                                 auth: .signed(challenge: challenge, signature: recipient.sign(challenge))),
                       200, "plain fetch")
        try api.expect(api.challenge(linkToken: recipient.linkToken), 200, "challenge after a slot was freed")
    }

    @Test("With a bearer token, or without asking, no next_challenge is given")
    func onlyWhenAskedWithAChallenge() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let bearer = try api.expect(api.fetch(linkToken: recipient.linkToken, auth: recipient.bearer, nextChallenge: true),
                                    200, "bearer fetch asking for a challenge")
        #expect(bearer["next_challenge"] == nil, "\(bearer)")
        let signed = try api.expect(api.fetch(linkToken: recipient.linkToken, auth: try recipient.signedAuth(),
                                              nextChallenge: false), 200, "signed fetch, next_challenge false")
        #expect(signed["next_challenge"] == nil, "\(signed)")
        let wrongType = try api.http.post("/fetch", json: .object([
            "link_token": .string(recipient.linkToken), "next_challenge": .string("yes")]),
            headers: [("Authorization", "Bearer \(recipient.registration.fetchToken)")])
        #expect(wrongType.status == 400, "next_challenge \"yes\" answered \(wrongType)")
        #expect(wrongType.json?["error"]?.string?.isEmpty == false)
    }

    @Test("A refused chained fetch leaves its challenge usable: bad signature, bad limit")
    func refusalsBurnNothing() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let challenge = try firstChallenge(recipient)
        let forged = try api.fetch(linkToken: recipient.linkToken,
                                   auth: .signed(challenge: challenge, signature: recipient.sign(challenge + "x")),
                                   nextChallenge: true)
        #expect(forged.status == 401, "a forged signature answered \(forged)")
        #expect(forged.json?["next_challenge"] == nil)
        let (badLimit, none) = try chainedFetch(recipient, challenge, ["limit": "ten"])
        #expect(badLimit.status == 400, "limit \"ten\" answered \(badLimit)")
        #expect(none == nil)
        let (response, next) = try chainedFetch(recipient, challenge)
        try api.expect(response, 200, "the challenge after two refusals")
        #expect(next != nil)
    }

    /// Sets the challenge's expiry `seconds` from now, straight in the database.
    private func expire(_ recipient: Recipient, _ challenge: String, inSeconds seconds: Int) throws {
        let aged = try testDatabaseConnection().run(
            "UPDATE challenges SET expires_at = NOW() + INTERVAL ? SECOND WHERE link_token = ? AND challenge_nonce = ?",
            [.int(Int64(seconds)), .text(recipient.linkToken), .text(challenge)])
        #expect(aged.affectedRows == 1, "no challenge row to age")
    }

    @Test("An expired challenge is not exchanged")
    func expiredChallenge() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let challenge = try firstChallenge(recipient)
        try expire(recipient, challenge, inSeconds: -1)
        let (response, next) = try chainedFetch(recipient, challenge)
        #expect(response.status == 401, "an expired challenge answered \(response)")
        #expect(next == nil)
    }

    @Test("A successor expires with its chain; near the end the challenge is used up and none is given")
    func chainEndsWithItsLifetime() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let issued = try (0..<5).map { _ in try firstChallenge(recipient) }
        // A minute is a fifth of the default five-minute lifetime: 90 s left still chains.
        try expire(recipient, issued[0], inSeconds: 90)
        let (first, successor) = try chainedFetch(recipient, issued[0])
        try api.expect(first, 200, "chained fetch with 90 s left")
        let next = try #require(successor)
        let left = try #require(try testDatabaseConnection().query(
            "SELECT TIMESTAMPDIFF(SECOND, NOW(), expires_at) FROM challenges WHERE link_token = ? AND challenge_nonce = ?",
            [.text(recipient.linkToken), .text(next)]).first)[0].int64
        #expect(left.map { $0 <= 90 } == true, "the successor got a new lifetime: \(String(describing: left)) s left")

        try expire(recipient, next, inSeconds: 30)
        let (last, none) = try chainedFetch(recipient, next)
        try api.expect(last, 200, "chained fetch with 30 s left")
        #expect(none == nil, "a successor was given with 30 s left")
        #expect(try chainedFetch(recipient, next).0.status == 401, "the last challenge of a chain was not used up")
        // It freed its slot: the link had five outstanding, now four.
        try api.expect(api.challenge(linkToken: recipient.linkToken), 200, "challenge after the chain ended")
    }

    @Test("After unregister, a challenge signed with the link's key proves nothing, cached key or not")
    func unregisteredLink() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let challenges = try (0..<5).map { _ in try firstChallenge(recipient) }
        // Every worker that answers one of these has the link's key in its cache.
        for challenge in challenges.prefix(4) {
            try api.expect(chainedFetch(recipient, challenge).0, 200, "signed fetch before unregister")
        }
        try api.expect(api.http.post("/unregister", json: .object(["link_token": .string(recipient.linkToken)]),
                                     headers: [("Authorization", "Bearer \(recipient.registration.fetchToken)")]),
                       200, "unregister")
        // Whichever worker answers, with the key in its cache or not: 404, as for any unknown link.
        for _ in 0..<4 {
            let (response, next) = try chainedFetch(recipient, challenges[4])
            #expect(response.status == 404, "a removed link's challenge answered \(response)")
            #expect(response.json?["data"] == nil && next == nil)
        }
    }

    @Test("Concurrent replays of one chained fetch: exactly one succeeds and gets a next challenge", arguments: 1...3)
    func concurrentChainedReplays(round: Int) throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let challenge = try firstChallenge(recipient)
        let signature = recipient.sign(challenge)
        let linkToken = recipient.linkToken
        let replays = 8
        let outcomes = runConcurrently(replays) { _ -> (Int, String?) in
            guard let response = try? api.fetch(linkToken: linkToken, auth: .signed(challenge: challenge, signature: signature),
                                                nextChallenge: true) else { return (0, nil) }
            return (response.status, response.json?["next_challenge"]?.string)
        }
        let statuses = outcomes.map(\.0).sorted()
        #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(statuses)")
        #expect(statuses.filter { $0 == 401 }.count == replays - 1, "round \(round): \(statuses)")
        let next = outcomes.compactMap(\.1)
        #expect(next.count == 1, "round \(round): \(next.count) next challenges")
        if let only = next.first {
            let (response, _) = try chainedFetch(recipient, only)
            try api.expect(response, 200, "round \(round): the one next challenge")
        }
    }
}

/// The shape of a challenge: standard base64 of 32 bytes.
private enum Base64Shape {
    static func isChallenge(_ text: String) -> Bool {
        text.utf8.count == 44 && text.hasSuffix("=") && !text.hasSuffix("==")
            && text.dropLast().allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }
    }
}
