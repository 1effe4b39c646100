import Sodium
import Testing
@testable import SealDrop

/// Handlers driven directly, without a socket, on an in-memory store.
@Suite struct ApplicationTests {
    let store = InMemoryStore()
    let application: Application

    init() throws {
        application = try Application.testing(on: store)
    }

    private func post(_ path: String, _ json: String, headers: [String: String] = [:]) -> (Int, JSONValue?, HTTPResponse) {
        let request = HTTPRequest(method: "POST", path: path, headers: headers, body: Array(json.utf8))
        let response = application.respond(to: request).response
        return (response.status.code, try? JSONParser.parse(response.body), response)
    }

    private func register(_ keys: SigningKeyPair) -> (link: String, fetch: String) {
        let (status, body, _) = post("/register", #"{"public_key":"\#(Base64.encode(keys.publicKey.bytes))"}"#)
        #expect(status == 201)
        guard case .string(let link)? = body?["link_token"], case .string(let fetch)? = body?["fetch_token"] else {
            Issue.record("register answered \(String(describing: body))")
            return ("", "")
        }
        return (link, fetch)
    }

    @Test func registerSendFetchAck() throws {
        let keys = SigningKeyPair()
        let (link, fetch) = register(keys)
        #expect(store.clients[link]?.fetchTokenHash == SHA256.hexDigest(utf8: fetch))
        let box = SealedBox.seal(Array("hello".utf8), to: keys.publicKey.x25519)
        let (sendStatus, sent, _) = post("/send", #"{"link_token":"\#(link)","encrypted_message":"\#(Base64.encode(box))","metadata":{"n":1}}"#)
        #expect(sendStatus == 201)
        let id = try #require(sent?["id"]?.integer)

        let (fetchStatus, fetched, _) = post("/fetch", #"{"link_token":"\#(link)"}"#, headers: ["authorization": "Bearer \(fetch)"])
        #expect(fetchStatus == 200)
        guard case .array(let data)? = fetched?["data"] else { Issue.record("no data"); return }
        #expect(data.count == 1)
        #expect(data.first?["id"]?.integer == id)
        #expect(data.first?["metadata"] == .object([("n", .number("1"))]))
        guard case .string(let returned)? = data.first?["encrypted_message"], let opened = SealedBox.open(Base64.decode(returned) ?? [], with: keys.encryptionKeyPair()) else {
            Issue.record("cannot open"); return
        }
        #expect(opened == Array("hello".utf8))

        let (ackStatus, acked, _) = post("/ack", #"{"link_token":"\#(link)","message_ids":[\#(id)]}"#, headers: ["authorization": "Bearer \(fetch)"])
        #expect(ackStatus == 200)
        #expect(acked?["count"]?.integer == 1)
    }

    @Test func signedChallengeWorksOnce() throws {
        let keys = SigningKeyPair()
        let (link, _) = register(keys)
        let (_, issued, _) = post("/challenge_request", #"{"link_token":"\#(link)"}"#)
        guard case .string(let challenge)? = issued?["challenge"] else { Issue.record("no challenge"); return }
        let signature = Base64.encode(keys.signature(for: Array(challenge.utf8)))
        let body = #"{"link_token":"\#(link)","challenge":"\#(challenge)","challenge_signature":"\#(signature)"}"#
        #expect(post("/fetch", body).0 == 200)
        #expect(post("/fetch", body).0 == 401)
        #expect(challenge.hasPrefix("sd1.") && challenge.utf8.count <= 128)
        #expect(store.usedNonces.count == 1)
    }

    @Test func forgedSignatureDoesNotBurnTheChallenge() {
        let keys = SigningKeyPair()
        let (link, _) = register(keys)
        let (_, issued, _) = post("/challenge_request", #"{"link_token":"\#(link)"}"#)
        guard case .string(let challenge)? = issued?["challenge"] else { Issue.record("no challenge"); return }
        let forged = Base64.encode(SigningKeyPair().signature(for: Array(challenge.utf8)))
        #expect(post("/fetch", #"{"link_token":"\#(link)","challenge":"\#(challenge)","challenge_signature":"\#(forged)"}"#).0 == 401)
        #expect(store.usedNonces.isEmpty)
        let signature = Base64.encode(keys.signature(for: Array(challenge.utf8)))
        #expect(post("/fetch", #"{"link_token":"\#(link)","challenge":"\#(challenge)","challenge_signature":"\#(signature)"}"#).0 == 200)
    }

    @Test func databaseOutageAnswers503WithRetryAfter() {
        store.available = false
        let request = HTTPRequest(method: "GET", path: "/health")
        let response = application.respond(to: request).response
        #expect(response.status.code == 503)
        #expect(response.header("Retry-After") != nil)
        let (status, _, send) = post("/register", #"{"public_key":"\#(Base64.encode(SigningKeyPair().publicKey.bytes))"}"#)
        #expect(status == 503)
        #expect(send.header("Retry-After") != nil)
        // Naming a sender link must not turn the outage into "no such link".
        #expect(post("/request_message_permission", #"{"from_link_token":"link_a","to_link_token":"link_b"}"#).0 == 503)
        let box = Base64.encode([UInt8](repeating: 1, count: 48))
        #expect(post("/send", #"{"link_token":"link_b","encrypted_message":"\#(box)","from_link_token":"link_a"}"#).0 == 503)
    }

    @Test func badInputChangesNothing() {
        let keys = SigningKeyPair()
        let (link, _) = register(keys)
        let cases: [(String, Int)] = [
            (#"{"link_token":"\#(link)","encrypted_message":"not base64!"}"#, 400),
            (#"{"link_token":"\#(link)","encrypted_message":"\#(Base64.encode([UInt8](repeating: 1, count: 47)))"}"#, 400),
            (#"{"link_token":"\#(link)","encrypted_message":"\#(Base64.encode([UInt8](repeating: 1, count: 16 * 1024 + 1)))"}"#, 413),
            (#"{"link_token":"\#(link)","encrypted_message":42}"#, 400),
            (#"{"link_token":"link_nope","encrypted_message":"\#(Base64.encode([UInt8](repeating: 1, count: 48)))"}"#, 404),
            ("[1]", 400),
            ("{", 400),
        ]
        for (body, expected) in cases {
            let (status, json, _) = post("/send", body)
            #expect(status == expected, "\(body.prefix(60))")
            guard case .string(let message)? = json?["error"] else { Issue.record("no error sentence"); continue }
            #expect(!message.isEmpty)
        }
        #expect(store.messages.isEmpty)
    }

    @Test func addressLimitAnswers429WithRetryAfter() throws {
        var configuration = application.configuration
        configuration.abuse.addressRequestsPerWindow = 3
        let limited = Application(configuration: configuration, store: store)
        let request = HTTPRequest(method: "POST", path: "/check_contact", remoteAddress: "203.0.113.9",
                                  body: Array(#"{"link_token":"link_x"}"#.utf8))
        for _ in 0..<3 { #expect(limited.respond(to: request).response.status.code == 200) }
        let refused = limited.respond(to: request).response
        #expect(refused.status.code == 429)
        #expect(Int(refused.header("Retry-After") ?? "") ?? 0 > 0)
        // Another address has its own count; the address itself is never stored.
        var other = request
        other.remoteAddress = "203.0.113.10"
        #expect(limited.respond(to: other).response.status.code == 200)
        #expect(!store.counters.keys.contains { $0.contains("203.0.113") })
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() {
        var request = HTTPRequest(method: "GET", path: "/health", headers: ["x-forwarded-for": "198.51.100.1, 10.0.0.2"],
                                  remoteAddress: "10.0.0.1")
        #expect(ClientAddress.sender(of: request, trustedProxies: []) == "10.0.0.1")
        #expect(ClientAddress.sender(of: request, trustedProxies: ["10.0.0.1"]) == "10.0.0.2")
        #expect(ClientAddress.sender(of: request, trustedProxies: ["10.0.0.1", "10.0.0.2"]) == "198.51.100.1")
        request.remoteAddress = "192.0.2.1"
        #expect(ClientAddress.sender(of: request, trustedProxies: ["10.0.0.1"]) == "192.0.2.1")
    }

    /// Issue 13: rotating IPv6 addresses inside one allocation does not reset the
    /// limits; IPv4-mapped addresses count as IPv4.
    @Test(arguments: [
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", 64, "2001:db8:1:3::/64"),
        ("2001:db8:1:2:ffff::1", 56, "2001:db8:1::/56"),
        ("2001:db8:1:2ff:ffff::1", 56, "2001:db8:1:200::/56"),
        ("2001:db8::1", 128, "2001:db8::1/128"),
        ("2001:db8::1", 1, "::/1"),
        ("::ffff:192.0.2.7", 64, "192.0.2.7"),
        ("::FFFF:198.51.100.1", 48, "198.51.100.1"),
        ("::1", 64, "::/64"),
        ("192.0.2.7", 64, "192.0.2.7"),
        ("not an address", 64, "not an address"),
        ("2001:db8::zz", 64, "2001:db8::zz"),
        ("", 64, ""),
    ])
    func limitKeyGroupsIPv6(address: String, prefix: Int, key: String) {
        #expect(ClientAddress.limitKey(address, ipv6PrefixLength: prefix) == key)
    }

    @Test func internalErrorsCarryNoDetail() {
        final class FailingStore: Store {
            func fail() throws(StoreError) -> Never { throw StoreError.failed("secret detail: DB_PASSWORD=hunter2") }
            func checkHealth() throws(StoreError) { try fail() }
            func insertClient(_ client: NewClient) throws(StoreError) -> Int64? { try fail() }
            func client(linkToken: String) throws(StoreError) -> ClientRecord? { try fail() }
            func insertMessage(_ message: NewMessage, limits: MailboxLimits) throws(StoreError) -> SendOutcome { try fail() }
            func countHit(_ bucket: RateBucket) throws(StoreError) -> Int { try fail() }
            func foldHits(_ folds: [CounterFold]) throws(StoreError) -> [CounterTotal] { try fail() }
            func serverSecret(named name: String) throws(StoreError) -> [UInt8] { try fail() }
            func consumeChallenge(linkToken: String, nonce: String) throws(StoreError) -> Bool { try fail() }
            func signingKey(linkToken: String) throws(StoreError) -> String? { try fail() }
            func recordChallengeUse(nonce: [UInt8], linkToken: String, expiry: UInt64) throws(StoreError) -> Bool { try fail() }
            func messages(linkToken: String, query: MessageQuery) throws(StoreError) -> [StoredMessage] { try fail() }
            func markSeen(linkToken: String, ids: [Int64]) throws(StoreError) -> Int { try fail() }
            func deleteMessages(linkToken: String, ids: [Int64]) throws(StoreError) -> Int { try fail() }
            func deleteClient(linkToken: String) throws(StoreError) -> Bool { try fail() }
            func replaceFetchTokenHash(linkToken: String, hash: String) throws(StoreError) -> Bool { try fail() }
            func isPermitted(from: String, to: String) throws(StoreError) -> Bool { try fail() }
            func requestPermission(from: String, to: String, nickname: String,
                                   bounds: PermissionRequestBounds) throws(StoreError) -> PermissionRequestOutcome { try fail() }
            func pendingRequests(to: String, beforeID: Int64?, limit: Int,
                                 pendingSeconds: Int) throws(StoreError) -> [MessageRequestRecord] { try fail() }
            func messageRequest(id: Int64) throws(StoreError) -> MessageRequestRecord? { try fail() }
            func answerRequest(id: Int64, with status: MessageRequestStatus) throws(StoreError) -> Bool { try fail() }
            func purgeExpired(_ policy: RetentionPolicy) throws(StoreError) -> Int { try fail() }
        }
        let failing = Application(configuration: application.configuration, store: FailingStore())
        let outcome = failing.respond(to: HTTPRequest(method: "GET", path: "/health"))
        #expect(outcome.response.status.code == 500)
        #expect(!String(decoding: outcome.response.body, as: UTF8.self).contains("hunter2"))
        #expect(outcome.logDetail?.contains("secret detail") == true)
    }

    @Test func everyErrorBecomesItsResponseInOnePlace() {
        #expect(APIError(APIError.unknownLink) == .unknownLink)
        let unavailable = APIError(StoreError.unavailable).response()
        #expect(unavailable.status == .serviceUnavailable)
        #expect(unavailable.header("Retry-After") == "5")
        struct Unexpected: Error {}
        for error: any Error in [StoreError.failed("secret detail"), Unexpected()] {
            let failure = APIError(error)
            #expect(failure.status == .internalServerError)
            #expect(String(decoding: failure.response().body, as: UTF8.self) == #"{"error":"Internal server error"}"#)
            #expect(failure.logDetail != nil)
        }
        #expect(APIError(StoreError.failed("secret detail")).logDetail == "secret detail")
    }
}
