import Sodium
import Testing

@Suite("Strict base64")
struct Base64Tests {
    /// RFC 4648 section 10.
    static let rfc4648: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: rfc4648)
    func standardVectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test(arguments: rfc4648)
    func urlSafeUnpaddedVectors(plain: String, encoded: String) {
        let unpadded = String(encoded.prefix { $0 != "=" })
        #expect(Base64.encodeURLSafeNoPadding(Array(plain.utf8)) == unpadded)
        #expect(Base64.decodeURLSafeNoPadding(unpadded) == Array(plain.utf8))
    }

    @Test func urlSafeDecodingIsStrict() {
        #expect(Base64.decodeURLSafeNoPadding("-_-_") == [0xFB, 0xFF, 0xBF])
        for bad in ["+/+/", "_w==", "_w=", "Zg=", "Zh", "Zm9v Yg", "Zm9v\n", "Z"] {
            #expect(Base64.decodeURLSafeNoPadding(bad) == nil, "\(bad.debugDescription) decoded")
        }
    }

    @Test func alphabetsDifferWhereTheyShould() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64.encodeURLSafeNoPadding(bytes) == "-_-_")
        #expect(Base64.decode("+/+/") == bytes)
        #expect(Base64.encode([0xFF]) == "/w==")
        #expect(Base64.encodeURLSafeNoPadding([0xFF]) == "_w")
    }

    @Test func roundTripsEveryLengthAndByte() {
        for length in 0...70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ length) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        let everyByte = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(everyByte)) == everyByte)
    }

    static let rejected: [String] = [
        // missing or partial padding
        "Zg", "Zg=", "Zm8", "A", "AAA", "Zm9vYg",
        // extra padding
        "Zg===", "Zm8==", "Zm9v=", "Zm9v====", "=", "==", "====",
        // whitespace and line breaks anywhere
        " Zm9v", "Zm9v ", "Zm 9v", "Zm9v\n", "Zm9v\r\n", "Zm9v\t", "Zg==\n", "Zm9v\nYmFy",
        // url-safe alphabet
        "-_-_", "Zm9-", "Zm9_", "_w==",
        // garbage after the padding, padding in the middle
        "Zg==Zg==", "Zg==x", "Zg=x", "Zg==\u{0}", "Zm9v\u{0}", "Z=g=",
        // characters outside any alphabet
        "Zm9v!", "Zm9v.", "Zm9vé", "Zm9v%3D",
        // non-canonical trailing bits: a lenient decoder reads these as "f" / "fo"
        "Zh==", "Zm9=", "Zm/=", "//==",
        // a lone sextet cannot encode a byte
        "A===",
    ]

    @Test(arguments: rejected)
    func rejectsMalformedInput(_ text: String) {
        #expect(Base64.decode(text) == nil, "accepted \(text.debugDescription)")
    }

    @Test func canonicalCounterpartsOfRejectedInputAreAccepted() {
        // Guards against the rejections above passing because decode() fails for
        // everything: the canonical neighbours decode.
        #expect(Base64.decode("Zg==") == [0x66])
        #expect(Base64.decode("Zm8=") == [0x66, 0x6F])
        #expect(Base64.decode("/w==") == [0xFF])
        #expect(Base64.decode("AA==") == [0])
        #expect(Base64.decode("AAA=") == [0, 0])
    }

    @Test func decodesKeySizedValues() throws {
        let key = RandomBytes.generate(count: 32)
        let text = Base64.encode(key)
        #expect(text.utf8.count == 44)
        #expect(try #require(Base64.decode(text)) == key)
        let large = RandomBytes.generate(count: 16 * 1024)
        #expect(Base64.decode(Base64.encode(large)) == large)
    }

    /// `decodedByteCount` must accept exactly what libsodium's strict decoder
    /// accepts, and count what it decodes: checked on the vectors, on every
    /// rejected form above, and on many near-miss strings made by changing,
    /// dropping and adding characters of valid ones.
    @Test func decodedByteCountAgreesWithLibsodium() {
        var inputs = Self.rejected + Self.rfc4648.map(\.1)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .\n\u{0}é")
        var state: UInt64 = 0x9E3779B97F4A7C15
        func random(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for length in 0...40 {
            let valid = Array(Base64.encode((0..<length).map { _ in UInt8(random(256)) }))
            inputs.append(String(valid))
            for _ in 0..<30 {
                var mutated = valid
                switch random(3) {
                case 0 where !mutated.isEmpty: mutated[random(mutated.count)] = alphabet[random(alphabet.count)]
                case 1 where !mutated.isEmpty: mutated.remove(at: random(mutated.count))
                default: mutated.insert(alphabet[random(alphabet.count)], at: random(mutated.count + 1))
                }
                inputs.append(String(mutated))
            }
        }
        var accepted = 0
        for input in inputs {
            let decoded = Base64.decode(input)
            #expect(Base64.decodedByteCount(input) == decoded?.count, "\(input.debugDescription)")
            if decoded != nil { accepted += 1 }
        }
        #expect(accepted > 41 && accepted < inputs.count - 100, "the corpus has both kinds: \(accepted) of \(inputs.count)")
    }
}
