import Foundation
import MariaDB
import Testing
import TestSupport

/// Issue 11, 3: what one requester can add to `message_requests` is bounded, and
/// what is no longer needed is purged, so a stranger with a few links can neither
/// grow the table for ever nor bury a recipient's real requests. Runs on a private
/// stack with small bounds, trusting nginx's X-Forwarded-For so requests can come
/// from addresses of their own.
@Suite("Permission request bounds", .serialized)
struct PermissionBoundTests {
    static let settings = [
        "SEALDROP_LINK_OPEN_REQUESTS": "3",
        "SEALDROP_ADDRESS_PERMISSION_REQUESTS_PER_DAY": "4",
        "SEALDROP_TRUSTED_PROXIES": "127.0.0.1",
        "SEALDROP_PURGE_INTERVAL_SECONDS": "0",
    ]
    static let day = 86_400

    /// The stack's API, speaking from addresses of the test's choosing.
    struct Requests {
        let api: SealDropClient
        var nextAddress = 0

        /// `from` asks `to`, from `address` or else an address used for nothing else.
        mutating func ask(_ from: Recipient, _ to: Recipient, from address: String? = nil) throws -> HTTPResponse {
            nextAddress += 1
            return try api.http.post("/request_message_permission", json: [
                "from_link_token": .string(from.linkToken), "to_link_token": .string(to.linkToken),
            ], headers: [("Authorization", "Bearer \(from.registration.fetchToken)"),
                         ("X-Forwarded-For", address ?? "198.51.100.\(nextAddress)")])
        }

        func answer(_ id: Int64, by recipient: Recipient, _ action: String) throws {
            try api.expect(api.call("/respond_message_request", ["link_token": .string(recipient.linkToken),
                                                                  "request_id": .int(id), "action": .string(action)],
                                    auth: recipient.bearer), 200, "\(action) request \(id)")
        }

        func pending(_ recipient: Recipient) throws -> [Int64] {
            let json = try api.expect(api.call("/get_message_requests", ["link_token": .string(recipient.linkToken)],
                                               auth: recipient.bearer), 200, "get_message_requests")
            return ids(json)
        }
    }

    /// A 429 telling to come back in about `seconds` (within a minute of it).
    private func expectWait(_ response: HTTPResponse, _ message: String, about seconds: Int, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 429 && response.errorMessage == message, "\(what): \(response)",
                sourceLocation: sourceLocation)
        let wait = Int(response.header("Retry-After") ?? "") ?? 0
        #expect(wait > seconds - 60 && wait <= seconds, "\(what): Retry-After \(wait), expected about \(seconds)",
                sourceLocation: sourceLocation)
    }

    private func requestID(_ response: HTTPResponse, _ what: String) throws -> Int64 {
        #expect(response.status == 201, "\(what): \(response)")
        return try #require(response.json?["request_id"]?.int, "\(what): \(response)")
    }

    private func rows(_ connection: Connection, from link: Recipient) throws -> [String] {
        try connection.query("SELECT status FROM message_requests WHERE from_link_token = ? ORDER BY id",
                             [.text(link.linkToken)]).compactMap { $0[0].string }
    }

    @Test("a rejected pair waits; a link and an address add only so many; the purge keeps only what is needed")
    func bounds() throws {
        try PrivateStack.with(name: "e2e-request-bounds", settings: Self.settings) { stack in
            let api = try stack.client()
            let connection = try databaseConnection(stack)
            var requests = Requests(api: api)
            let declined = "The recipient declined this link's request; ask again after the wait"
            let linkFull = "This link has too many requests waiting for an answer"

            // The rejection wait: asking again at once is refused and adds nothing.
            let alice = try Recipient(client: api), bob = try Recipient(client: api)
            let first = try requestID(requests.ask(bob, alice), "bob asks alice")
            try requests.answer(first, by: alice, "reject")
            for _ in 0..<3 { expectWait(try requests.ask(bob, alice), declined, about: 30 * Self.day, "bob asks again") }
            #expect(try rows(connection, from: bob) == ["rejected"], "refused requests are not stored")
            #expect(try requests.pending(alice).isEmpty)
            // Once the wait is over, bob may ask again.
            try connection.run("UPDATE message_requests SET updated_at = NOW() - INTERVAL 30 DAY - INTERVAL 1 MINUTE WHERE id = ?",
                               [.int(first)])
            let second = try requestID(requests.ask(bob, alice), "bob asks after the wait")
            #expect(second != first)
            #expect(try requests.pending(alice) == [second])

            // A link has at most 3 requests open: pending, or rejected within the wait.
            let carol = try Recipient(client: api)
            let others = try (0..<4).map { _ in try Recipient(client: api) }
            let asked = try others.prefix(3).map { try requestID(requests.ask(carol, $0), "carol asks") }
            expectWait(try requests.ask(carol, others[3]), linkFull, about: 30 * Self.day, "carol's fourth request")
            #expect(try requestID(requests.ask(carol, others[0]), "carol asks again") == asked[0], "asking again is free")
            try requests.answer(asked[0], by: others[0], "reject")
            #expect(try requests.ask(carol, others[3]).status == 429, "a rejection within its wait still counts")
            try requests.answer(asked[1], by: others[1], "accept")
            let fourth = try requestID(requests.ask(carol, others[3]), "carol's fourth, after an acceptance")
            #expect(try rows(connection, from: carol) == ["rejected", "accepted", "pending", "pending"])

            // An address makes at most 4 new requests a day, whichever links it uses.
            let dave = try Recipient(client: api)
            let strangers = try (0..<5).map { _ in try Recipient(client: api) }
            let fromOneAddress = try strangers.prefix(4).map { try requestID(requests.ask($0, dave, from: "203.0.113.7"), "stranger") }
            let overAddress = try requests.ask(strangers[4], dave, from: "203.0.113.7")
            #expect(overAddress.status == 429 && overAddress.errorMessage == "Too many permission requests from this address",
                    "\(overAddress)")
            let untilTomorrow = Self.day - Int(Date().timeIntervalSince1970) % Self.day
            #expect(abs((Int(overAddress.header("Retry-After") ?? "") ?? 0) - untilTomorrow) <= 5, "until the day's window ends")
            #expect(try requestID(requests.ask(strangers[0], dave, from: "203.0.113.7"), "asking again") == fromOneAddress[0],
                    "asking again adds nothing and is never refused")
            let elsewhere = try requestID(requests.ask(strangers[4], dave, from: "203.0.113.8"), "from another address")
            #expect(try requests.pending(dave) == [elsewhere] + fromOneAddress.reversed())

            // The purge: a rejection past its wait and a request unanswered past
            // retention go; a rejection within its wait, a fresh request and an
            // accepted one, however old (it is the permission), stay.
            try connection.run("UPDATE message_requests SET created_at = NOW() - INTERVAL 31 DAY WHERE id = ?",
                               [.int(fromOneAddress[1])])
            try connection.run("UPDATE message_requests SET created_at = NOW() - INTERVAL 400 DAY, updated_at = NOW() - INTERVAL 400 DAY WHERE id = ?",
                               [.int(asked[1])])
            let listed = try requests.pending(dave)
            #expect(!listed.contains(fromOneAddress[1]), "a lapsed request is no longer listed")
            let purge = try runCommand(try TestEnvironment.binary(), ["purge", "--config", stack.runDirectory + "/sealdrop.env"])
            #expect(purge.status == 0, "sealdrop purge: \(purge.output)")
            let left = Set(try connection.query("SELECT id FROM message_requests").compactMap { $0[0].int64 })
            #expect(!left.contains(first) && !left.contains(fromOneAddress[1]), "purged: \(left.sorted())")
            #expect(left.isSuperset(of: [second, asked[0], asked[1], asked[2], fourth, fromOneAddress[0], elsewhere]),
                    "kept: \(left.sorted())")
            let box = try api.seal("still allowed", forLink: others[1].linkToken)
            try api.expect(api.call("/send", ["link_token": .string(others[1].linkToken), "encrypted_message": .string(box),
                                              "from_link_token": .string(carol.linkToken)], auth: carol.bearer),
                           201, "an old acceptance still lets carol send")
        }
    }
}
