import Glibc
import MariaDB
import Sodium
import Testing
import TestSupport

/// `"next_challenge": true` on a challenge-authenticated `/fetch` (issue 6): the
/// response carries a new challenge, `next_challenge`, so a polling client makes
/// one request per fetch. Each challenge still proves exactly one request; since
/// issue 13 a successor is an ordinary challenge with a full lifetime of its own.
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
            #expect(ChallengeShape.isChallenge(nextChallenge), "round \(round): next_challenge is \(nextChallenge)")
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

    /// Seconds since 1970 at which an `sd1.` challenge expires (its first 8 bytes).
    private func expiry(_ challenge: String) throws -> Int64 {
        let payload = try #require(Base64.decodeURLSafeNoPadding(String(challenge.dropFirst(4))), "\(challenge)")
        return Int64(payload.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    @Test("A successor has a full lifetime of its own, not what was left of its chain's")
    func successorHasAFullLifetime() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let first = try firstChallenge(recipient)
        sleep(2)
        let before = Int64(time(nil))
        let (response, successor) = try chainedFetch(recipient, first)
        try api.expect(response, 200, "chained fetch")
        let next = try #require(successor)
        let (nextExpiry, firstExpiry) = (try expiry(next), try expiry(first))
        #expect(nextExpiry >= before + 300, "the successor expires at \(nextExpiry), fetched at \(before)")
        #expect(nextExpiry > firstExpiry, "the successor expires no later than its chain's first challenge")
        // An unused challenge never blocks another: the chain goes on, and a new one is issued meanwhile.
        try api.expect(api.challenge(linkToken: recipient.linkToken), 200, "a challenge beside the chain")
        try api.expect(chainedFetch(recipient, next).0, 200, "the successor")
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

    @Test("Concurrent replays of one chained fetch, and of its successor: exactly one succeeds and gets a next challenge",
          arguments: 1...3)
    func concurrentChainedReplays(round: Int) throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let linkToken = recipient.linkToken
        let replays = 16
        var challenge = try firstChallenge(recipient)
        for step in ["first", "chained"] {
            let signature = recipient.sign(challenge)
            let current = challenge
            let outcomes = runConcurrently(replays) { _ -> (Int, String?) in
                guard let response = try? api.fetch(linkToken: linkToken, auth: .signed(challenge: current, signature: signature),
                                                    nextChallenge: true) else { return (0, nil) }
                return (response.status, response.json?["next_challenge"]?.string)
            }
            let statuses = outcomes.map(\.0).sorted()
            #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round), \(step): \(statuses)")
            #expect(statuses.filter { $0 == 401 }.count == replays - 1, "round \(round), \(step): \(statuses)")
            let next = outcomes.compactMap(\.1)
            #expect(next.count == 1, "round \(round), \(step): \(next.count) next challenges")
            challenge = try #require(next.first)
        }
        let (response, _) = try chainedFetch(recipient, challenge)
        try api.expect(response, 200, "round \(round): the one next challenge")
    }
}

/// The shape of a challenge: `sd1.` and 54 base64url characters (40 bytes).
private enum ChallengeShape {
    static func isChallenge(_ text: String) -> Bool {
        text.hasPrefix("sd1.") && text.utf8.count == 58
            && Base64.decodeURLSafeNoPadding(String(text.dropFirst(4)))?.count == 40
    }
}
