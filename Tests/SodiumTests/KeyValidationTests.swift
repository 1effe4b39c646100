import Sodium
import Testing

@Suite("Key validation and Ed25519 to X25519 conversion")
struct KeyValidationTests {
    /// libsodium test/default/ed25519_convert.c and its .exp file.
    static let convertSeed = TestHex.bytes("421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee")
    static let convertedPublic = TestHex.bytes("f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50")
    static let convertedSecret = TestHex.bytes("8052030376d47112be7f73ed7a019293dd12ad910b654455798b4667d73de166")

    @Test func libsodiumConversionVector() throws {
        let pair = try #require(SigningKeyPair(seed: Self.convertSeed))
        // Public side: crypto_sign_ed25519_pk_to_curve25519.
        #expect(pair.publicKey.x25519.bytes == Self.convertedPublic)
        let reparsed = try #require(Ed25519PublicKey(bytes: pair.publicKey.bytes))
        #expect(reparsed.x25519.bytes == Self.convertedPublic)
        // Secret side: crypto_sign_ed25519_sk_to_curve25519; BoxKeyPair derives
        // its public key with crypto_scalarmult_base, a cross-check of both paths.
        let box = pair.encryptionKeyPair()
        #expect(box.secretKey.withUnsafeBytes { Array($0) } == Self.convertedSecret)
        #expect(box.publicKey.bytes == Self.convertedPublic)
        #expect(box.publicKey == pair.publicKey.x25519)
    }

    @Test func conversionAgreesForGeneratedKeys() {
        for _ in 0..<50 {
            let pair = SigningKeyPair()
            #expect(pair.encryptionKeyPair().publicKey == pair.publicKey.x25519)
        }
    }

    /// Encodings libsodium refuses as Ed25519 public keys: small-order points
    /// (canonical and not), a y with no matching x, y ≥ p, and mixed-order points.
    static let invalidEd25519: [String] = [
        "0000000000000000000000000000000000000000000000000000000000000000",  // order 4
        "0000000000000000000000000000000000000000000000000000000000000080",  // order 4, sign bit
        "0100000000000000000000000000000000000000000000000000000000000000",  // identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2 (y = -1)
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1 (identity)
        "0200000000000000000000000000000000000000000000000000000000000000",  // y = 2: not on the curve
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // y ≥ p
        // On the curve but outside the prime-order subgroup: RFC 8032 TEST 1's key
        // plus a point of order 2, and of order 8 (crypto_core_ed25519_add).
        "16a567fe7d4ef5482ab4012c369bf8c5f11e8d0c2559dcda50fde59708f8aee5",
        "3b5b475c4b82dd1572799fc546f4c6c03e478c6654aa4c7f945b347ea32af60d",
    ]

    @Test(arguments: invalidEd25519)
    func rejectsInvalidEd25519Point(_ hex: String) {
        #expect(Ed25519PublicKey(bytes: TestHex.bytes(hex)) == nil)
    }

    @Test func rejectsWrongLengths() {
        let valid = RFC8032Vector.all[0].publicKey
        #expect(Ed25519PublicKey(bytes: valid) != nil)
        for bytes in [[], Array(valid.dropLast()), valid + [0], valid + valid] {
            #expect(Ed25519PublicKey(bytes: bytes) == nil)
            #expect(X25519PublicKey(bytes: bytes) == nil)
        }
        #expect(X25519PublicKey(bytes: Self.convertedPublic) != nil)
    }

    /// Small-order X25519 points (and their encodings at and above p), to which
    /// a sealed box cannot be made.
    static let smallOrderX25519: [String] = [
        "0000000000000000000000000000000000000000000000000000000000000000",  // 0
        "0100000000000000000000000000000000000000000000000000000000000000",  // 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",  // order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p - 1
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p (= 0)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p + 1 (= 1)
    ]

    @Test(arguments: smallOrderX25519)
    func rejectsSmallOrderX25519Point(_ hex: String) {
        #expect(X25519PublicKey(bytes: TestHex.bytes(hex)) == nil)
    }

    @Test func acceptsGeneratedX25519Keys() throws {
        for _ in 0..<50 {
            let pair = BoxKeyPair()
            let parsed = try #require(X25519PublicKey(bytes: pair.publicKey.bytes))
            #expect(parsed == pair.publicKey)
        }
    }
}
