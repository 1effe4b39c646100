import Glibc
import MariaDB
import Sodium
import Testing
import TestSupport

/// Issue 13: a challenge carries its own proof of issue (`sd1.`, MAC'd under the
/// database's `challenge_key`), so issuing one writes nothing and a stranger who
/// holds the shared link cannot lock its owner out; using one records its nonce
/// once, so it still authenticates exactly one request.
@Suite("Stateless challenges")
struct StatelessChallengeTests {
    /// The format as the README states it, made here independently of the server's
    /// code: `sd1.` + base64url(expiry UInt64 BE ‖ nonce ‖ HMAC-SHA-256(key,
    /// "SealDrop challenge v1" ‖ link ‖ 0x00 ‖ expiry ‖ nonce)[0..<16]).
    static func craft(link: String, key: [UInt8], expiry: UInt64, nonce: [UInt8] = RandomBytes.generate(count: 16))
        -> String
    {
        let head = (0..<8).map { UInt8(truncatingIfNeeded: expiry >> (56 - 8 * $0)) } + nonce
        let mac = HMACSHA256.authenticator(for: Array("SealDrop challenge v1".utf8) + Array(link.utf8) + [0] + head, key: key)
        return "sd1." + Base64.encodeURLSafeNoPadding(head + mac.prefix(16))
    }

    /// The server's `challenge_key`, read from its database.
    static func challengeKey(_ connection: Connection) throws -> [UInt8] {
        let text = try #require(try connection.query(
            "SELECT value FROM sealdrop_settings WHERE name = 'challenge_key'").first?.decode("value", as: String.self))
        return try #require(Base64.decode(text))
    }

    static func now() -> UInt64 { UInt64(time(nil)) }

    private func challenge(_ recipient: Recipient) throws -> String {
        let json = try recipient.client.expect(recipient.client.challenge(linkToken: recipient.linkToken), 200,
                                               "POST /challenge_request")
        return try #require(json["challenge"]?.string)
    }

    private func signedFetch(_ recipient: Recipient, _ challenge: String, signer: Recipient? = nil,
                             link: String? = nil) throws -> HTTPResponse {
        try recipient.client.fetch(linkToken: link ?? recipient.linkToken,
                                   auth: .signed(challenge: challenge, signature: (signer ?? recipient).sign(challenge)))
    }

    @Test("A challenge is sd1., at most 128 ASCII characters, and expires one lifetime after it was issued")
    func shape() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let before = Self.now()
        let text = try challenge(recipient)
        #expect(text.hasPrefix("sd1.") && text.utf8.count <= 128 && text.utf8.allSatisfy { $0 > 32 && $0 < 127 }, "\(text)")
        let payload = try #require(Base64.decodeURLSafeNoPadding(String(text.dropFirst(4))), "\(text)")
        #expect(payload.count == 40)
        let expiry = payload.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(expiry >= before + 300 && expiry <= Self.now() + 300, "expiry \(expiry), issued at \(before)")
        // The test's own reading of the format is the server's: a challenge made here works.
        let key = try Self.challengeKey(testDatabaseConnection())
        let crafted = Self.craft(link: recipient.linkToken, key: key, expiry: Self.now() + 60)
        try api.expect(signedFetch(recipient, crafted), 200, "a challenge made by the test with the server's key")
        #expect(try signedFetch(recipient, crafted).status == 401, "it was used once already")
    }

    @Test("A challenge proves only its own link, unaltered and unexpired")
    func boundToItsLinkAndExpiry() throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api)
        let bob = try Recipient(client: api)
        // Alice's challenge, signed by Alice, offered for Bob's link: the signature is not Bob's.
        let mine = try challenge(alice)
        expectError(try signedFetch(alice, mine, link: bob.linkToken), 401, "Alice's challenge and signature on Bob's link")
        // Alice's challenge signed by Bob for Bob's link: the signature holds, the MAC binds it to Alice.
        let refused = try signedFetch(bob, mine)
        expectError(refused, 401, "Alice's challenge signed by Bob on Bob's link")
        #expect(refused.errorMessage == "Invalid or expired challenge", "\(refused)")
        // Tampered: each part of the payload changed, then signed by the owner.
        let payload = try #require(Base64.decodeURLSafeNoPadding(String(mine.dropFirst(4))))
        for (index, part) in [(0, "expiry"), (7, "expiry"), (8, "nonce"), (24, "mac"), (39, "mac")] {
            var altered = payload
            altered[index] ^= 0x01
            let text = "sd1." + Base64.encodeURLSafeNoPadding(altered)
            expectError(try signedFetch(alice, text), 401, "a challenge with its \(part) changed (byte \(index))")
        }
        expectError(try signedFetch(alice, "sd1." + Base64.encodeURLSafeNoPadding(payload + [0])), 401, "a longer payload")
        expectError(try signedFetch(alice, "sd1." + Base64.encodeURLSafeNoPadding(Array(payload.dropLast()))), 401,
                    "a shorter payload")
        expectError(try signedFetch(alice, "sd2." + mine.dropFirst(4)), 401, "another prefix (looked for as a row)")
        // Expired, with a valid MAC under the server's key.
        let key = try Self.challengeKey(testDatabaseConnection())
        let expired = Self.craft(link: alice.linkToken, key: key, expiry: Self.now() - 1)
        expectError(try signedFetch(alice, expired), 401, "an expired challenge")
        // A different key, everything else right.
        let foreign = Self.craft(link: alice.linkToken, key: RandomBytes.generate(count: 32), expiry: Self.now() + 60)
        expectError(try signedFetch(alice, foreign), 401, "a challenge MAC'd under another key")
        // None of the refusals used up the real one.
        try api.expect(signedFetch(alice, mine), 200, "the untouched challenge after the refusals")
    }

    @Test("While a stranger holding the link floods /challenge_request, its owner gets challenges and fetches")
    func strangerCannotLockTheOwnerOut() throws {
        let api = try makeAPI()
        let owner = try Recipient(client: api)
        let link = owner.linkToken
        // The shared test stack has the address limits off, so these are all one address's.
        let flood = BackgroundLoad(connections: 8) { _, _ in ((try? api.challenge(linkToken: link).status) ?? 0, "") }
        try waitUntil("the stranger has asked 50 times", timeout: 60) { flood.recorded.count >= 50 }
        for round in 1...5 {
            let mine = try challenge(owner)
            try api.expect(signedFetch(owner, mine), 200, "the owner's fetch \(round) during the stranger's flood")
        }
        let statuses = flood.stop().map(\.status)
        #expect(statuses.count >= 50)
        #expect(statuses.allSatisfy { $0 == 200 }, "the stranger's requests: \(Set(statuses).sorted())")
        print("stateless challenges: the owner fetched 5 times while a stranger asked \(statuses.count) times")
    }

    @Test("Concurrent replays of one signed challenge: exactly one of 24 succeeds", arguments: 1...2)
    func concurrentReplays(round: Int) throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let text = try challenge(recipient)
        let signature = recipient.sign(text)
        let link = recipient.linkToken
        let replays = 24
        let statuses = runConcurrently(replays) { _ -> Int in
            (try? api.fetch(linkToken: link, auth: .signed(challenge: text, signature: signature)).status) ?? 0
        }
        #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(statuses.sorted())")
        #expect(statuses.filter { $0 == 401 }.count == replays - 1, "round \(round): \(statuses.sorted())")
    }

    @Test("A challenge issued as a row before the upgrade still authenticates, once")
    func rowChallengeStillWorks() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let old = Tokens.challenge()
        let connection = try testDatabaseConnection()
        try connection.run("INSERT INTO challenges (link_token, challenge_nonce, expires_at) VALUES (?, ?, NOW() + INTERVAL 300 SECOND)",
                           [.text(recipient.linkToken), .text(old)])
        expectError(try signedFetch(recipient, old + " "), 401, "the row challenge with a space after it")
        try api.expect(signedFetch(recipient, old), 200, "a row challenge from before the upgrade")
        expectError(try signedFetch(recipient, old), 401, "the row challenge a second time")
        let left = try connection.query("SELECT COUNT(*) AS n FROM challenges WHERE link_token = ?", [.text(recipient.linkToken)])
        #expect(try left.first?.decode("n", as: Int64.self) == 0, "the used row is gone")
    }
}

/// A private stack: a short challenge lifetime, a small per-address request
/// limit, nginx trusted for X-Forwarded-For, and no automatic purge.
@Suite("Stateless challenges: lifetime, flood and purge", .serialized)
struct StatelessChallengeStackTests {
    static let settings = [
        "SEALDROP_CHALLENGE_TTL_SECONDS": "10",
        "SEALDROP_ADDRESS_REQUESTS_PER_MINUTE": "30",
        "SEALDROP_ADDRESS_WINDOW_SECONDS": "86400",
        "SEALDROP_TRUSTED_PROXIES": "127.0.0.1",
        "SEALDROP_PURGE_INTERVAL_SECONDS": "0",
    ]

    @Test("a flood from one address meets 429, its owner elsewhere does not; a challenge expires; used nonces are purged")
    func lifetimeFloodAndPurge() throws {
        try PrivateStack.with(name: "e2e-stateless", settings: Self.settings) { stack in
            let http = try HTTPClient(baseURL: stack.baseURL)
            let api = SealDropClient(http: http)
            let owner = try Recipient(client: api)
            let link = owner.linkToken
            let stranger = [("X-Forwarded-For", "198.51.100.66")]
            let ownerAddress = [("X-Forwarded-For", "203.0.113.9")]
            func ask(_ from: [(String, String)]) throws -> HTTPResponse {
                try http.post("/challenge_request", json: ["link_token": .string(link)], headers: from)
            }
            func fetch(_ challenge: String, _ from: [(String, String)]) throws -> HTTPResponse {
                try http.post("/fetch", json: ["link_token": .string(link), "challenge": .string(challenge),
                                               "challenge_signature": .string(owner.sign(challenge))], headers: from)
            }

            // The stranger's flood: 30 a minute answered (far past the old 5 per link), then 429.
            for index in 0..<30 { #expect(try ask(stranger).status == 200, "stranger's request \(index + 1)") }
            let refused = try ask(stranger)
            #expect(refused.status == 429, "31st request from one address: \(refused)")
            #expect(Int(refused.header("Retry-After") ?? "") ?? 0 > 0, "Retry-After")
            // The owner, from another address, is not affected.
            let first = try #require(try SealDropClient(http: http).expect(ask(ownerAddress), 200, "owner's challenge")["challenge"]?.string)
            #expect(try fetch(first, ownerAddress).status == 200, "the owner's signed fetch")

            // The nonce is kept a lifetime past the challenge's expiry: about 20 s from now.
            let connection = try databaseConnection(stack)
            let kept = try #require(try connection.query(
                "SELECT expiry + 10 - UNIX_TIMESTAMP() AS left_s FROM used_challenges").first)
            let left = try kept.decode("left_s", as: Int64.self)
            #expect(left > 10 && left <= 20, "a used nonce is kept \(left) s")

            // A challenge unused for its lifetime (10 s) is refused.
            let late = try #require(try SealDropClient(http: http).expect(ask(ownerAddress), 200, "challenge")["challenge"]?.string)
            sleep(11)
            let expired = try fetch(late, ownerAddress)
            #expect(expired.status == 401 && expired.errorMessage == "Invalid or expired challenge", "\(expired)")

            // Purge: a nonce past its keeping goes, one within it stays. (`sealdrop purge`
            // reads only the config file, so it keeps nonces the default lifetime: an
            // hour past is past any lifetime.)
            let second = try #require(try SealDropClient(http: http).expect(ask(ownerAddress), 200, "challenge")["challenge"]?.string)
            #expect(try fetch(second, ownerAddress).status == 200)
            let count = "SELECT COUNT(*) AS n FROM used_challenges"
            #expect(try connection.query(count).first?.decode("n", as: Int64.self) == 2)
            try connection.run("UPDATE used_challenges SET expiry = UNIX_TIMESTAMP() - 3601 ORDER BY expiry LIMIT 1")
            let purge = try runCommand(try TestEnvironment.binary(), ["purge", "--config", stack.runDirectory + "/sealdrop.env"])
            #expect(purge.status == 0, "sealdrop purge: \(purge.output)")
            #expect(try connection.query(count).first?.decode("n", as: Int64.self) == 1, "the expired nonce was not purged")
        }
    }
}
