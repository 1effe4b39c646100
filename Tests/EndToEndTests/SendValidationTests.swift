import Sodium
import Testing
import TestSupport

/// Every way `/send` must refuse its input, and proof that a refused send stores
/// nothing: each test uses its own link and finally fetches it.
@Suite("Send validation")
struct SendValidationTests {
    /// `count` random bytes in base64: the server cannot tell them from a sealed box.
    private func fakeBox(_ count: Int) -> String { Base64.encode(randomBytes(count)) }

    /// Asserts that the link holds exactly `expected` ciphertexts (seen or not).
    private func expectStored(_ recipient: Recipient, _ expected: Set<String>,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let data = try recipient.fetchMessages(includeSeen: true, limit: 200)
        let stored = data.compactMap { $0["encrypted_message"]?.string }
        #expect(stored.count == expected.count, "link holds \(stored.count) messages, expected \(expected.count)",
            sourceLocation: sourceLocation)
        #expect(Set(stored) == expected, "stored messages differ from the accepted ones", sourceLocation: sourceLocation)
    }

    @Test("Malformed JSON, missing and mistyped fields are 400 and store nothing")
    func malformedAndMissing() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let token = JSON.string(recipient.linkToken)
        let box = JSON.string(fakeBox(80))
        for text in ["{", "[]", "", "null", "{\"link_token\": \(token), \"encrypted_message\": }"] {
            expectError(try api.http.post("/send", text: text), 400, "send body \(text.debugDescription)")
        }
        let bodies: [(String, JSON)] = [
            ("empty object", [:]),
            ("no encrypted_message", ["link_token": token]),
            ("no link_token", ["encrypted_message": box]),
            ("encrypted_message null", ["link_token": token, "encrypted_message": nil]),
            ("encrypted_message number", ["link_token": token, "encrypted_message": 5]),
            ("encrypted_message array", ["link_token": token, "encrypted_message": [box]]),
            ("link_token number", ["link_token": 5, "encrypted_message": box]),
            ("link_token null", ["link_token": nil, "encrypted_message": box]),
            // An anonymous send ignores the proof fields, but not their types.
            ("challenge object, anonymous", ["link_token": token, "encrypted_message": box, "challenge": [:]]),
            ("challenge_signature number, empty sender", ["link_token": token, "encrypted_message": box,
                                                          "from_link_token": "", "challenge_signature": 5]),
        ]
        for (name, body) in bodies {
            expectError(try api.http.post("/send", json: body), 400, "send with \(name)")
        }
        try expectStored(recipient, [])
    }

    // Whitespace is no longer among these: wrapped base64 is what Android clients
    // send (ClientDialectTests); it must not make anything else acceptable.
    @Test("Ciphertexts in non-strict base64 are 400 and store nothing")
    func nonStrictBase64() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        // 100 bytes = 3·33 + 1: 136 characters ending in "==".
        let valid = fakeBox(100)
        #expect(valid.hasSuffix("=="))
        var unsafeCharacters = valid
        while !(unsafeCharacters.contains("+") || unsafeCharacters.contains("/")) { unsafeCharacters = fakeBox(100) }
        let spellings: [(String, String)] = [
            ("missing padding", String(valid.dropLast(2))),
            ("url-safe alphabet", urlSafe(unsafeCharacters)),
            ("url-safe alphabet, wrapped", String(urlSafe(unsafeCharacters).prefix(76)) + "\n"
                + String(urlSafe(unsafeCharacters).dropFirst(76)) + "\n"),
            ("padding inside, wrapped", String(valid.prefix(76)) + "=\n" + String(valid.dropFirst(76))),
            ("extra padding after a newline", valid + "\n="),
            ("vertical tab inside", String(valid.prefix(40)) + "\u{B}" + String(valid.dropFirst(40))),
            ("not base64 at all", "this is not base64!"),
        ]
        for (name, text) in spellings {
            try #require(Base64.decode(unwrapped(text)) == nil, "Sodium accepts the \(name) spelling; the test input is wrong")
            expectError(try api.send(linkToken: recipient.linkToken, ciphertext: text), 400, "ciphertext with \(name)")
        }
        try expectStored(recipient, [])
    }

    @Test("Ciphertext size: under 48 bytes is 400, over 16 KiB is 413, the bounds are accepted")
    func ciphertextSize() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        for count in [0, 1, 32, 47] {
            expectError(try api.send(linkToken: recipient.linkToken, ciphertext: fakeBox(count)), 400,
                "ciphertext of \(count) bytes")
        }
        for count in [16 * 1024 + 1, 16 * 1024 + 3, 40 * 1024] {
            expectError(try api.send(linkToken: recipient.linkToken, ciphertext: fakeBox(count)), 413,
                "ciphertext of \(count) bytes")
        }
        try expectStored(recipient, [])

        let smallest = fakeBox(48)
        let largest = fakeBox(16 * 1024)
        try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: smallest), 201, "send 48 bytes")
        try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: largest), 201, "send 16 KiB")
        try expectStored(recipient, [smallest, largest])
    }

    @Test("Metadata over 4 KiB serialized is 413; smaller metadata comes back as sent")
    func metadataSize() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let big: JSON = ["note": .string(String(repeating: "m", count: 5000))]
        let nested: JSON = .array((0..<600).map { _ in ["k": "v"] })
        for (name, metadata) in [("5000-character note", big), ("600 small objects", nested)] {
            #expect(metadata.serialized.utf8.count > 4096)
            expectError(
                try api.send(linkToken: recipient.linkToken, ciphertext: fakeBox(60), metadata: metadata), 413,
                "metadata \(name)")
        }
        try expectStored(recipient, [])

        let fits: JSON = ["sender_nick": "Bob 🚀", "n": 3, "ok": true, "list": [1, "two", nil],
                          "note": .string(String(repeating: "x", count: 3000))]
        let box = fakeBox(60)
        try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: box, metadata: fits), 201, "send")
        let data = try recipient.fetchMessages()
        #expect(data.count == 1)
        #expect(data.first?["metadata"] == fits, "metadata did not come back as sent")
    }

    @Test("Metadata nested deeper than MariaDB's JSON check allows is a 400, never a 500; others are still answered")
    func metadataNesting() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        /// `levels` arrays (or objects) inside one another around a number.
        @Sendable func nested(_ levels: Int, objects: Bool = false) -> JSON {
            (0..<levels).reduce(JSON.int(1)) { inner, _ in objects ? ["n": inner] : [inner] }
        }
        let logPath = try TestEnvironment.runDirectory() + "/sealdrop.log"
        // 40 deep, from several clients at once, while others go on using the service.
        let link = recipient.linkToken
        let deep = runConcurrently(6) { thread -> (status: Int, message: String, id: String)? in
            guard let client = try? makeAPI(),
                  let response = try? client.send(linkToken: link, ciphertext: fakeBox(60),
                                                  metadata: nested(40, objects: thread % 2 == 1)) else { return nil }
            return (response.status, response.errorMessage ?? "", response.header("X-Request-ID") ?? "")
        }
        for answer in deep {
            #expect(answer?.status == 400 && answer?.message == "metadata is nested too deeply (max 31 levels)",
                    "40 deep: \(String(describing: answer))")
        }
        for levels in [32, 62] {
            let response = try api.send(linkToken: recipient.linkToken, ciphertext: fakeBox(60), metadata: nested(levels))
            expectError(response, 400, "metadata nested \(levels) deep")
        }
        try api.expect(api.http.get("/health"), 200, "health after the refusals")
        let other = try Recipient(client: api)
        try api.expect(api.send(linkToken: other.linkToken, ciphertext: fakeBox(60), metadata: ["n": 1]), 201,
                       "another link's send")
        try expectStored(recipient, [])
        // Nothing reached the database, so nothing was logged as an error.
        let ids = deep.compactMap { $0?.id }.filter { !$0.isEmpty }
        #expect(ids.count == deep.count, "every answer names its request id")
        try waitUntil("the refused requests are logged", timeout: 15) {
            let log = try String(contentsOfFile: logPath, encoding: .utf8)
            return ids.allSatisfy { log.contains(" \($0) POST /send 400 ") }
        }
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(!ids.contains { log.contains(" \($0) error: ") }, "a refused send logged an error")

        // MariaDB's most, 31 levels, is stored and comes back as sent.
        for objects in [false, true] {
            let box = fakeBox(60)
            try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: box, metadata: nested(31, objects: objects)),
                           201, "metadata nested 31 deep")
            #expect(try recipient.fetchMessages(limit: 1).first?["metadata"] == nested(31, objects: objects))
        }
    }

    @Test("A body over 64 KiB is 413 and stores nothing; exactly 64 KiB is read")
    func bodySize() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let box = fakeBox(100)
        /// A valid send whose unknown `padding` field brings the body to `size` bytes.
        func body(ofSize size: Int) -> [UInt8] {
            let prefix = "{\"link_token\":\"\(recipient.linkToken)\",\"encrypted_message\":\"\(box)\",\"padding\":\""
            let text = prefix + String(repeating: "p", count: size - prefix.utf8.count - 2) + "\"}"
            return Array(text.utf8)
        }
        let headers = [("Content-Type", "application/json")]
        for size in [64 * 1024 + 1, 100 * 1024] {
            let oversized = body(ofSize: size)
            #expect(oversized.count == size)
            expectError(try api.http.request("POST", "/send", headers: headers, body: oversized), 413,
                "body of \(size) bytes")
        }
        try expectStored(recipient, [])
        let exact = body(ofSize: 64 * 1024)
        try api.expect(api.http.request("POST", "/send", headers: headers, body: exact), 201, "send of 64 KiB body")
        try expectStored(recipient, [box])
    }

    @Test("Sending to an unknown link is 404")
    func unknownLink() throws {
        let api = try makeAPI()
        for token in [unknownLinkToken(), "link_", "nope", String(repeating: "x", count: 300), "link_'; DROP TABLE messages; --"] {
            expectError(try api.send(linkToken: token, ciphertext: fakeBox(64)), 404, "send to \(token.prefix(40))")
        }
    }
}
