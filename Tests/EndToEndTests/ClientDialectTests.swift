import MariaDB
import Sodium
import Testing
import TestSupport

/// Issue 12: what real clients of the original server send, through nginx, byte for
/// byte as they write it (``ClientDialect``, ``WrappedBase64``) and in the seed's
/// request shapes: base64 wrapped by Android's `Base64.DEFAULT`, numbers as strings,
/// flags as `1` or `"true"`, an unknown `order`, an empty `from_link_token`, a poller
/// following `next_cursor`. And what stays refused, so nothing else was loosened.
@Suite("Client dialects")
struct ClientDialectTests {
    /// POSTs `fields` to `path` as `dialect` writes them, with a bearer token if given.
    private func post(_ api: SealDropClient, _ path: String, _ dialect: ClientDialect,
                      _ fields: KeyValuePairs<String, JSON>, bearer: String? = nil) throws -> HTTPResponse {
        let headers = bearer.map { [("Authorization", "Bearer \($0)")] } ?? []
        return try api.http.post(path, text: dialect.body(fields), headers: headers)
    }

    /// A fresh link holding `count` messages, and how requests name and prove it.
    private struct Mailbox {
        let api: SealDropClient
        let owner: Recipient
        let sent: [Int64]
        var token: JSON { .string(owner.linkToken) }
        var bearer: String { owner.registration.fetchToken }

        init(messages count: Int) throws {
            api = try makeAPI()
            owner = try Recipient(client: api)
            sent = try sendMessages(api, to: owner, count: count)
        }
    }

    /// A fresh challenge for `recipient`'s link, and its signature as Android wraps it.
    private func wrappedProof(_ api: SealDropClient, _ recipient: Recipient) throws -> (JSON, JSON) {
        let json = try api.expect(api.challenge(linkToken: recipient.linkToken), 200, "POST /challenge_request")
        let challenge = try #require(json["challenge"]?.string)
        let signature = recipient.signingKeys.signature(for: Array(challenge.utf8))
        return (.string(challenge), .string(WrappedBase64.android(signature)))
    }

    @Test("The bodies are written as those clients' JSON libraries write them")
    func bodiesAsWritten() {
        let fields: KeyValuePairs<String, JSON> = ["key": "ab/c+\n", "ids": ["1", 2], "flag": true, "name": "Zoë"]
        #expect(ClientDialect.python.body(fields) == #"{"key": "ab/c+\n", "ids": ["1", 2], "flag": true, "name": "Zo\u00eb"}"#)
        #expect(ClientDialect.dart.body(fields) == #"{"key":"ab/c+\n","ids":["1",2],"flag":true,"name":"Zoë"}"#)
        #expect(ClientDialect.android.body(fields) == #"{"key":"ab\/c+\n","ids":["1",2],"flag":true,"name":"Zoë"}"#)
        let text = Base64.encode(randomBytes(60))  // 80 characters: one full line and four more
        let (line, rest) = (String(text.prefix(76)), String(text.dropFirst(76)))
        #expect(WrappedBase64.android(Base64.decode(text) ?? []) == line + "\n" + rest + "\n")
        #expect(WrappedBase64.mime(Base64.decode(text) ?? []) == line + "\r\n" + rest)
    }

    @Test("Keys wrapped as clients wrap base64 register, come back strict, and hash as if unwrapped",
          arguments: ClientDialect.allCases)
    func wrappedKeys(_ dialect: ClientDialect) throws {
        let api = try makeAPI()
        let database = try testDatabaseConnection()
        let wrappings: [(String, ([UInt8]) -> String)] = [
            ("Base64.DEFAULT", WrappedBase64.android),
            ("a CRLF inside", { String(Base64.encode($0).prefix(20)) + "\r\n" + Base64.encode($0).dropFirst(20) }),
            ("spaces and tabs around", { " \t" + Base64.encode($0) + " \r\n" }),
        ]
        for (name, wrap) in wrappings {
            let signing = SigningKeyPair(), box = BoxKeyPair()
            let strict = Base64.encode(signing.publicKey.bytes)
            let response = try post(api, "/register", dialect, [
                "public_key": .string(wrap(signing.publicKey.bytes)), "display_name": "Alice",
                "encryption_public_key": .string(wrap(box.publicKey.bytes)),
            ])
            let registration = try Registration(api.expect(response, 201, "register with keys \(name), \(dialect)"))
            let info = try api.expect(api.linkInfo(registration.linkToken), 200, "GET /l/{token}")
            #expect(info["public_key"]?.string == strict, "\(name), \(dialect)")
            #expect(info["encryption_public_key"]?.string == Base64.encode(box.publicKey.bytes), "\(name), \(dialect)")
            let row = try #require(try database.query(
                "SELECT public_key, public_key_hash FROM clients WHERE link_token = ?", [.text(registration.linkToken)]).first)
            #expect(row[0].string == strict, "stored without the whitespace")
            #expect(row[1].string == SHA256.hexDigest(utf8: strict), "public_key_hash does not depend on the wrapping")
        }
    }

    @Test("Sealed boxes wrapped at 76 columns are stored and fetched strict, and the mailbox counts what is stored",
          arguments: ClientDialect.allCases)
    func wrappedCiphertexts(_ dialect: ClientDialect) throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let key = recipient.boxKeys.publicKey
        var boxes: [[UInt8]] = []
        let wrappings = [WrappedBase64.android, WrappedBase64.mime, WrappedBase64.trailingNewline]
        for (index, wrap) in wrappings.enumerated() {
            let box = SealedBox.seal(Array("message \(index) ".utf8) + [UInt8](repeating: 0x61, count: 200), to: key)
            #expect(wrap(box).contains("\n"))
            // The seed's /send shape.
            try api.expect(post(api, "/send", dialect, [
                "link_token": .string(recipient.linkToken), "encrypted_message": .string(wrap(box)),
                "metadata": ["sender_nick": "Bob"],
            ]), 201, "send wrapped box \(index), \(dialect)")
            boxes.append(box)
        }
        let stored = try recipient.fetchMessages(limit: 200).reversed().compactMap { $0["encrypted_message"]?.string }
        #expect(stored == boxes.map(Base64.encode), "returned as strict base64")
        #expect(stored.compactMap(recipient.open).count == boxes.count, "every box opens")
        // The byte cap counts what a message stores: its ciphertext, strict, and its metadata.
        let row = try #require(try testDatabaseConnection().query("""
            SELECT c.unseen_bytes AS counted, SUM(LENGTH(m.encrypted_message)) AS ciphertext,
                   SUM(LENGTH(m.metadata)) AS metadata
            FROM clients c JOIN messages m ON m.link_token = c.link_token
            WHERE c.link_token = ? GROUP BY c.unseen_bytes
            """, [.text(recipient.linkToken)]).first)
        let ciphertext = try row.decode("ciphertext", as: Int64.self), metadata = try row.decode("metadata", as: Int64.self)
        #expect(ciphertext == Int64(stored.reduce(0) { $0 + $1.utf8.count }), "the stored text is the strict base64")
        #expect(try row.decode("counted", as: Int64.self) == ciphertext + metadata, "the byte cap counts the stored text and metadata")
    }

    @Test("Size limits count decoded bytes: a wrapped 16 KiB box is taken, one byte more is 413, 47 bytes is 400")
    func wrappedSizes() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let largest = randomBytes(16 * 1024)
        #expect(WrappedBase64.android(largest).utf8.count > Base64.encode(largest).utf8.count)
        func send(_ bytes: [UInt8]) throws -> HTTPResponse {
            try post(api, "/send", .android, ["link_token": .string(recipient.linkToken),
                                              "encrypted_message": .string(WrappedBase64.android(bytes))])
        }
        try api.expect(send(largest), 201, "wrapped box of 16 KiB")
        expectError(try send(randomBytes(16 * 1024 + 1)), 413, "wrapped box of 16 KiB + 1")
        expectError(try send(randomBytes(47)), 400, "wrapped box of 47 bytes")
        let stored = try recipient.fetchMessages().compactMap { $0["encrypted_message"]?.string }
        #expect(stored == [Base64.encode(largest)])
    }

    @Test("A challenge signature wrapped as Android wraps it proves /fetch, /ack and a permission request",
          arguments: ClientDialect.allCases)
    func wrappedSignatures(_ dialect: ClientDialect) throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api)
        let bob = try Recipient(client: api)
        let id = try sendMessages(api, to: alice, count: 1)[0]
        let token = JSON.string(alice.linkToken)

        var (challenge, signature) = try wrappedProof(api, alice)
        #expect(signature.string?.dropLast().contains("\n") == true, "88 characters wrap once, and end with a newline")
        // The seed's /fetch "Method A" shape.
        let fetched = try api.expect(post(api, "/fetch", dialect, [
            "link_token": token, "challenge": challenge, "challenge_signature": signature,
        ]), 200, "signed fetch, \(dialect)")
        #expect(ids(fetched) == [id])
        (challenge, signature) = try wrappedProof(api, alice)
        let acked = try api.expect(post(api, "/ack", dialect, [
            "link_token": token, "message_ids": [.int(id)], "challenge": challenge, "challenge_signature": signature,
        ]), 200, "signed ack, \(dialect)")
        #expect(acked["count"]?.int == 1)
        (challenge, signature) = try wrappedProof(api, bob)
        try api.expect(post(api, "/request_message_permission", dialect, [
            "from_link_token": .string(bob.linkToken), "to_link_token": token, "from_nickname": "Bob",
            "challenge": challenge, "challenge_signature": signature,
        ]), 201, "signed permission request, \(dialect)")

        // Still a proof: a wrapped signature of another challenge is 401, and the
        // challenge it came with still proves one request afterwards.
        let (other, _) = try wrappedProof(api, alice)
        (challenge, signature) = try wrappedProof(api, alice)
        let misdirected = alice.signingKeys.signature(for: Array((other.string ?? "").utf8))
        expectError(try post(api, "/fetch", dialect, [
            "link_token": token, "challenge": challenge, "challenge_signature": .string(WrappedBase64.android(misdirected)),
        ]), 401, "a wrapped signature of another challenge, \(dialect)")
        try api.expect(post(api, "/fetch", dialect, [
            "link_token": token, "challenge": challenge, "challenge_signature": signature,
        ]), 200, "the challenge after the refusal, \(dialect)")
    }

    @Test("Limit, cursors and ids as strings, as Python clients send them")
    func numbersAsStrings() throws {
        let mailbox = try Mailbox(messages: 4)
        let (api, alice, sent, token, bearer) = (mailbox.api, mailbox.owner, mailbox.sent, mailbox.token, mailbox.bearer)
        func text(_ id: Int64) -> JSON { .string(String(id)) }

        let limited = try api.expect(post(api, "/fetch", .python, ["link_token": token, "limit": "2"], bearer: bearer),
                                     200, "limit \"2\"")
        #expect(ids(limited) == [sent[3], sent[2]])
        // test_enhancements.py's shapes, with the ids as strings.
        let since = try api.expect(post(api, "/fetch", .python, ["link_token": token, "since_id": text(sent[1]),
                                                                 "order": "ASC"], bearer: bearer), 200, "since_id string")
        #expect(ids(since) == [sent[2], sent[3]])
        let before = try api.expect(post(api, "/fetch", .python, ["link_token": token, "before_id": text(sent[3]),
                                                                  "limit": "2", "order": "DESC"], bearer: bearer),
                                    200, "before_id string")
        #expect(ids(before) == [sent[2], sent[1]])

        // The seed's /ack shape; /delete_messages with strings and numbers mixed.
        let acked = try api.expect(post(api, "/ack", .python, ["link_token": token,
                                                               "message_ids": [text(sent[0]), text(sent[1])]],
                                        bearer: bearer), 200, "ack with string ids")
        #expect(acked["count"]?.int == 2)
        let deleted = try api.expect(post(api, "/delete_messages", .python, ["link_token": token,
                                                                             "message_ids": [text(sent[2]), .int(sent[3])]],
                                          bearer: bearer), 200, "delete with string ids")
        #expect(deleted["count"]?.int == 2)
        #expect(try alice.fetchMessages(includeSeen: true).map { $0["id"]?.int } == [sent[1], sent[0]])

        let bob = try Recipient(client: api)
        let pending = try api.expect(call(api, "/request_message_permission", [
            "from_link_token": .string(bob.linkToken), "to_link_token": token,
        ], auth: bob.bearer), 201, "permission request")
        let requestID = try #require(pending["request_id"]?.int)
        let answered = try api.expect(post(api, "/respond_message_request", .python, [
            "link_token": token, "request_id": text(requestID), "action": "accept",
        ], bearer: bearer), 200, "request_id string")
        #expect(answered["status"]?.string == "accepted")
        #expect(answered["request_id"] == .int(requestID), "answered as a number")
    }

    @Test("include_seen and next_challenge as 1, 0 and strings in any case")
    func flags() throws {
        let mailbox = try Mailbox(messages: 2)
        let (api, alice, sent, token, bearer) = (mailbox.api, mailbox.owner, mailbox.sent, mailbox.token, mailbox.bearer)
        try api.expect(api.ack(linkToken: alice.linkToken, messageIDs: [sent[0]], auth: alice.bearer), 200, "ack")
        let cases: [(JSON, Bool)] = [(1, true), ("true", true), ("TRUE", true), ("1", true), (true, true),
                                     (0, false), ("false", false), ("False", false), ("0", false), (false, false)]
        for (value, includesSeen) in cases {
            // The seed's "Method B" shape with include_seen.
            let page = try api.expect(post(api, "/fetch", .python, ["link_token": token, "include_seen": value],
                                           bearer: bearer), 200, "include_seen \(value)")
            #expect(Set(ids(page)) == Set(includesSeen ? sent : [sent[1]]), "include_seen \(value)")
        }
        let (challenge, signature) = try wrappedProof(api, alice)
        let chained = try api.expect(post(api, "/fetch", .python, [
            "link_token": token, "challenge": challenge, "challenge_signature": signature, "next_challenge": "True",
        ]), 200, "next_challenge \"True\"")
        #expect(chained["next_challenge"]?.string != nil)
    }

    @Test("test_edge_cases.py's \"order\": \"INVALID\" is 200 and newest first; \"asc\" is oldest first")
    func order() throws {
        let mailbox = try Mailbox(messages: 3)
        let (api, sent, token, bearer) = (mailbox.api, mailbox.sent, mailbox.token, mailbox.bearer)
        let invalid = try api.expect(post(api, "/fetch", .python, ["link_token": token, "order": "INVALID"], bearer: bearer),
                                     200, "order INVALID")
        #expect(ids(invalid) == sent.reversed())
        let lower = try api.expect(post(api, "/fetch", .dart, ["link_token": token, "order": "asc"], bearer: bearer),
                                   200, "order asc")
        #expect(ids(lower) == sent)
    }

    @Test("An empty from_link_token is an anonymous send, as null is", arguments: ClientDialect.allCases)
    func emptySender(_ dialect: ClientDialect) throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api)
        for sender: JSON in ["", nil] {
            let box = try api.seal("anonymous", forLink: alice.linkToken)
            try api.expect(post(api, "/send", dialect, [
                "link_token": .string(alice.linkToken), "encrypted_message": .string(box), "from_link_token": sender,
            ]), 201, "from_link_token \(sender), \(dialect)")
        }
        #expect(try alice.fetchMessages().count == 2)
        // Only exactly empty: a blank one names a link, which does not exist.
        let box = try api.seal("blank", forLink: alice.linkToken)
        expectError(try post(api, "/send", dialect, [
            "link_token": .string(alice.linkToken), "encrypted_message": .string(box), "from_link_token": " ",
        ]), 404, "from_link_token \" \", \(dialect)")
    }

    @Test("A Python poller passing str(next_cursor) on as since_id gets each message once, through quiet polls")
    func pythonPoller() throws {
        let mailbox = try Mailbox(messages: 0)
        let (api, alice, token, bearer) = (mailbox.api, mailbox.owner, mailbox.token, mailbox.bearer)
        var cursor: JSON = nil
        var delivered: [Int64] = []
        func poll() throws -> [Int64] {
            let json = try api.expect(post(api, "/fetch", .python, ["link_token": token, "order": "ASC", "limit": "2",
                                                                    "since_id": cursor], bearer: bearer), 200, "poll")
            cursor = json["next_cursor"]?.int.map { .string(String($0)) } ?? .null
            delivered += ids(json)
            return ids(json)
        }
        #expect(try poll().isEmpty)
        #expect(cursor == .null, "no cursor before the first message")
        let first = try sendMessages(api, to: alice, count: 3)
        #expect(try poll() == Array(first[0...1]))
        #expect(try poll() == [first[2]])
        #expect(try poll().isEmpty)
        #expect(try poll().isEmpty)
        #expect(cursor == .string(String(first[2])), "quiet polls keep the cursor")
        let second = try sendMessages(api, to: alice, count: 1)
        #expect(try poll() == second)
        #expect(delivered == first + second)
    }

    @Test("What stays refused: malformed base64 however wrapped, short boxes, invalid keys, other spellings")
    func stillStrict() throws {
        let mailbox = try Mailbox(messages: 0)
        let (api, alice, token, bearer) = (mailbox.api, mailbox.owner, mailbox.token, mailbox.bearer)
        func insert(_ text: String, _ piece: String, at offset: Int) -> String {
            String(text.prefix(offset)) + piece + String(text.dropFirst(offset))
        }
        let wrapped = WrappedBase64.android(randomBytes(100))
        let strict = Base64.encode(randomBytes(100))
        let ciphertexts: [(String, String)] = [
            ("a character outside the alphabet", insert(wrapped, "!", at: 10)),
            ("a url-safe character", insert(wrapped, "-", at: 10)),
            ("missing padding", String(strict.dropLast(2)) + "\n"),
            ("padding inside", insert(wrapped, "==", at: 77)),
            ("extra padding after the newline", wrapped + "="),
            ("a vertical tab", insert(strict, "\u{B}", at: 10)),
            ("a sealed box of 47 bytes", WrappedBase64.android(randomBytes(47))),
        ]
        for (name, text) in ciphertexts {
            expectError(try post(api, "/send", .android, ["link_token": token, "encrypted_message": .string(text)]),
                        400, "ciphertext with \(name)")
        }
        #expect(try alice.fetchMessages(includeSeen: true).isEmpty, "nothing refused was stored")

        let zeros = [UInt8](repeating: 0, count: 32)
        let valid = WrappedBase64.android(SigningKeyPair().publicKey.bytes)
        let keys: [(String, KeyValuePairs<String, JSON>)] = [
            ("an all-zero public_key", ["public_key": .string(WrappedBase64.android(zeros))]),
            ("a 31-byte public_key", ["public_key": .string(WrappedBase64.android(randomBytes(31)))]),
            ("a public_key with a bad character", ["public_key": .string(insert(valid, "*", at: 5))]),
            ("an all-zero encryption_public_key", ["public_key": .string(valid),
                                                   "encryption_public_key": .string(WrappedBase64.android(zeros))]),
        ]
        for (name, fields) in keys {
            expectError(try post(api, "/register", .android, fields), 400, "register with \(name)")
        }

        let fields: [(String, JSON)] = [
            ("limit", "1e3"), ("limit", "+1"), ("limit", " 1"), ("limit", "1 "), ("limit", "1.0"), ("limit", "0x10"),
            ("limit", ""), ("limit", "99999999999999999999"), ("since_id", "-1"), ("since_id", "9223372036854775808"),
            ("before_id", "0"), ("before_id", "1\n"), ("include_seen", "yes"), ("include_seen", 2),
            ("include_seen", "2"), ("include_seen", ""), ("next_challenge", "on"), ("order", 1),
        ]
        for (field, value) in fields {
            let response = try post(api, "/fetch", .python, ["link_token": token, field: value], bearer: bearer)
            expectError(response, 400, "\(field) \(value)")
            #expect(response.errorMessage?.contains(field) == true, "the error names \(field): \(response)")
        }
        for ids: JSON in [["1", "x"], ["0"], ["1.5"], ["-1"], [" 1"]] {
            let response = try post(api, "/ack", .python, ["link_token": token, "message_ids": ids], bearer: bearer)
            expectError(response, 400, "message_ids \(ids)")
            #expect(response.errorMessage?.contains("message_ids") == true)
        }
        expectError(try post(api, "/respond_message_request", .python, [
            "link_token": token, "request_id": "1e0", "action": "accept",
        ], bearer: bearer), 400, "request_id \"1e0\"")
    }
}
