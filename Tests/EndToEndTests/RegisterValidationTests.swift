import Sodium
import Testing
import TestSupport

/// Every way `/register` must refuse its input (400, or 413 for sizes), each
/// answered with a JSON error.
@Suite("Register validation")
struct RegisterValidationTests {
    /// A public key whose base64 form contains `+` or `/`, so that its url-safe
    /// spelling differs (about three keys in four qualify).
    private func keyWithURLUnsafeCharacters() -> String {
        while true {
            let text = Base64.encode(SigningKeyPair().publicKey.bytes)
            if text.contains("+") || text.contains("/") { return text }
        }
    }

    /// Non-strict spellings of a valid key; each is checked to be refused by
    /// Sodium's own strict decoder once the whitespace clients wrap base64 with is
    /// gone (ClientDialectTests: that alone is accepted), so the expectation is not
    /// the test's guess.
    private func nonStrictSpellings() throws -> [(String, String)] {
        let key = keyWithURLUnsafeCharacters()
        #expect(Base64.decode(key) != nil)
        let lastDataCharacter = key[key.index(key.endIndex, offsetBy: -2)]
        // 32 bytes leave 2 unused bits in the last data character; setting one is
        // non-canonical (a lenient decoder silently drops it).
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let value = alphabet.firstIndex(of: lastDataCharacter)!
        let nonCanonical = String(key.dropLast(2)) + String(alphabet[value | 1]) + "="
        let spellings: [(String, String)] = [
            ("missing padding", String(key.dropLast())),
            ("url-safe alphabet", urlSafe(key)),
            ("url-safe alphabet, trailing newline", urlSafe(key) + "\n"),
            ("missing padding, wrapped", String(key.prefix(20)) + "\n" + String(key.dropFirst(20).dropLast())),
            ("extra padding", key + "="),
            ("extra padding after a newline", key + "\n="),
            ("non-canonical trailing bits", nonCanonical),
            ("non-breaking space inside", String(key.prefix(20)) + "\u{A0}" + String(key.dropFirst(20))),
        ]
        for (name, text) in spellings {
            try #require(Base64.decode(unwrapped(text)) == nil, "Sodium accepts the \(name) spelling; the test input is wrong")
        }
        return spellings
    }

    @Test("Malformed JSON and non-object bodies are 400")
    func malformedJSON() throws {
        let api = try makeAPI()
        for body in ["{", "{\"public_key\": }", "not json", "", "[]", "null", "\"text\"", "42", "{\"public_key\": \"a\"} x"] {
            expectError(try api.http.post("/register", text: body), 400, "register body \(body.debugDescription)")
        }
        expectError(
            try api.http.request("POST", "/register", headers: [("Content-Type", "application/json")],
                body: [0x7B, 0xFF, 0xFE, 0x7D]), 400, "register body with invalid UTF-8")
    }

    @Test("Missing and mistyped fields are 400")
    func missingAndWrongTypes() throws {
        let api = try makeAPI()
        let key = JSON.string(Base64.encode(SigningKeyPair().publicKey.bytes))
        let bodies: [(String, JSON)] = [
            ("empty object", [:]),
            ("display_name only", ["display_name": "x"]),
            ("public_key null", ["public_key": nil]),
            ("public_key number", ["public_key": 123]),
            ("public_key array", ["public_key": [key]]),
            ("public_key object", ["public_key": ["k": key]]),
            ("display_name number", ["public_key": key, "display_name": 5]),
            ("display_name object", ["public_key": key, "display_name": ["a": "b"]]),
            ("encryption_public_key bool", ["public_key": key, "encryption_public_key": true]),
            ("encryption_public_key number", ["public_key": key, "encryption_public_key": 7]),
        ]
        for (name, body) in bodies {
            expectError(try api.http.post("/register", json: body), 400, "register with \(name)")
        }
    }

    @Test("Public keys in non-strict base64 are 400")
    func nonStrictBase64() throws {
        let api = try makeAPI()
        for (name, text) in try nonStrictSpellings() {
            expectError(try api.register(publicKey: text), 400, "public_key with \(name)")
            let valid = Base64.encode(SigningKeyPair().publicKey.bytes)
            expectError(try api.register(publicKey: valid, encryptionPublicKey: text), 400,
                "encryption_public_key with \(name)")
        }
    }

    @Test("Keys of the wrong length are 400")
    func wrongLength() throws {
        let api = try makeAPI()
        let valid = Base64.encode(SigningKeyPair().publicKey.bytes)
        for count in [0, 1, 31, 33, 64] {
            let text = Base64.encode(randomBytes(count))
            expectError(try api.register(publicKey: text), 400, "public_key of \(count) bytes")
            expectError(try api.register(publicKey: valid, encryptionPublicKey: text), 400,
                "encryption_public_key of \(count) bytes")
        }
    }

    @Test("Keys that are not usable curve points are 400")
    func invalidCurvePoints() throws {
        let api = try makeAPI()
        let zeros = [UInt8](repeating: 0, count: 32)
        var identity = zeros
        identity[0] = 1
        // y = 2 is not the y-coordinate of any point on edwards25519.
        var offCurve = zeros
        offCurve[0] = 2
        for (name, bytes) in [("all zeros", zeros), ("identity point", identity), ("off-curve y = 2", offCurve)] {
            try #require(Ed25519PublicKey(bytes: bytes) == nil, "Sodium accepts \(name) as an Ed25519 key")
            expectError(try api.register(publicKey: Base64.encode(bytes)), 400, "public_key \(name)")
        }
        for (name, bytes) in [("all zeros", zeros), ("u = 1", identity)] {
            try #require(X25519PublicKey(bytes: bytes) == nil, "Sodium accepts \(name) as an X25519 key")
            expectError(
                try api.register(
                    publicKey: Base64.encode(SigningKeyPair().publicKey.bytes),
                    encryptionPublicKey: Base64.encode(bytes)),
                400, "encryption_public_key \(name)")
        }
    }

    // design.md: "413 body or field too large"; the name limit is a size limit.
    @Test("A display name over 255 characters is 413")
    func displayNameTooLong() throws {
        let api = try makeAPI()
        let key = Base64.encode(SigningKeyPair().publicKey.bytes)
        for name in [String(repeating: "a", count: 256), String(repeating: "🚀", count: 256),
                     String(repeating: "a", count: 5000)] {
            expectError(try api.register(publicKey: key, displayName: name), 413,
                "display_name of \(name.unicodeScalars.count) characters")
        }
    }

    @Test("A name of 255 characters with combining marks is stored verbatim or refused, never cut")
    func displayNameCombiningMarks() throws {
        let api = try makeAPI()
        // 255 graphemes but 510 code points: a server counting Swift Characters
        // and a column counting code points disagree here.
        let name = String(repeating: "e\u{301}", count: 255)
        let response = try api.register(publicKey: Base64.encode(SigningKeyPair().publicKey.bytes), displayName: name)
        if response.status == 201 {
            let registration = try Registration(try #require(response.json))
            let info = try api.expect(api.linkInfo(registration.linkToken), 200, "GET /l/{token}")
            #expect(info["display_name"]?.string == name, "a 510-code-point name came back changed")
        } else {
            expectError(response, 413, "display_name of 510 code points")
        }
    }
}
