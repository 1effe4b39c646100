import Sodium
import Testing

@Suite("SHA-256 and constant-time comparison")
struct HashAndCompareTests {
    @Test func fipsVectors() {
        // FIPS 180-2 / NIST examples.
        #expect(SHA256.hexDigest(utf8: "abc")
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(utf8: "")
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(utf8: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hash(Array("abc".utf8))
            == TestHex.bytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(SHA256.byteCount == 32)
    }

    /// Values printed by Python 3: `hashlib.sha256(token.encode()).hexdigest()`,
    /// the form in which the original server stored fetch tokens.
    static let pythonDigests: [(String, String)] = [
        ("PHTdyH4pvwZ2HgXl2m6wDe0XqZrS3c2nP8LQ3c8yD8bXKp7d2qgI0Jc4nqg3m7ZV",
         "6e68959c1c19a91a5c2f55dc016124832455aaa6a717b9430d14391f4d21b1aa"),
        ("link_5Pq2Wc8Zr1Yt0uV9xKj3LmN6oB4sD7fA",
         "d74b6d9c9b549d1e65255d71cf4174f6a8adc32ba396398ca147cdbb4a59cbd4"),
        ("héllo ✓", "5657cdef8a85a584e0e961e6f8247cf5d3f8ed21496ed6fdbcfd43a761e94245"),
    ]

    @Test(arguments: pythonDigests)
    func matchesPythonHashlib(token: String, hex: String) {
        #expect(SHA256.hexDigest(utf8: token) == hex)
        #expect(SHA256.hexDigest(Array(token.utf8)) == hex)
    }

    @Test func hexDigestIsLowercaseAndFixedLength() {
        for _ in 0..<100 {
            let digest = SHA256.hexDigest(utf8: Tokens.fetchToken())
            #expect(digest.utf8.count == 64)
            #expect(digest.utf8.allSatisfy { Set("0123456789abcdef".utf8).contains($0) })
        }
    }

    @Test func constantTimeEqualBytes() {
        let a = RandomBytes.generate(count: 32)
        #expect(ConstantTime.equal(a, a))
        #expect(ConstantTime.equal(a, Array(a)))
        #expect(!ConstantTime.equal(a, flippingBit(0, of: a)))
        #expect(!ConstantTime.equal(a, flippingBit(255, of: a)))
        #expect(!ConstantTime.equal(a, Array(a.dropLast())))
        #expect(!ConstantTime.equal(a, a + [0]))
        #expect(!ConstantTime.equal([], [0]))
        #expect(ConstantTime.equal([], []))
    }

    @Test func constantTimeEqualStrings() {
        let token = Tokens.fetchToken()
        #expect(ConstantTime.equal(token, String(token)))
        #expect(!ConstantTime.equal(token, Tokens.fetchToken()))
        #expect(!ConstantTime.equal(token, String(token.dropLast())))
        #expect(!ConstantTime.equal("abc", "abcd"))
        #expect(ConstantTime.equal("", ""))
        // Byte-wise: canonically equivalent but differently encoded strings differ.
        #expect(!ConstantTime.equal("\u{E9}", "e\u{301}"))
        #expect(ConstantTime.equal("héllo", "héllo"))
    }

    @Test func digestsCompareAsStoredByTheServer() {
        let token = Tokens.fetchToken()
        let stored = SHA256.hexDigest(utf8: token)
        #expect(ConstantTime.equal(SHA256.hexDigest(utf8: token), stored))
        #expect(!ConstantTime.equal(SHA256.hexDigest(utf8: Tokens.fetchToken()), stored))
    }
}

@Suite("Key fingerprints")
struct FingerprintTests {
    /// RFC 7748's Alice's X25519 public key; the value printed by Python 3:
    /// `hashlib.sha256(key).hexdigest()[:20]`, in groups of four.
    @Test func isTheFirstTenBytesOfSHA256InGroupsOfFour() throws {
        let key = try #require(X25519PublicKey(bytes: TestHex.bytes("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")))
        #expect(key.fingerprint == "300c 9c96 03b9 2a4b 39ed")
    }
}
