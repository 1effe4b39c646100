import Sodium
import Testing

/// RFC 8032 section 7.1, tests 1-3 (also in libsodium's own test suite).
struct RFC8032Vector: Sendable, CustomTestStringConvertible {
    let name: String
    let seed: [UInt8]
    let publicKey: [UInt8]
    let message: [UInt8]
    let signature: [UInt8]

    var testDescription: String { name }

    static let all: [RFC8032Vector] = [
        RFC8032Vector(
            name: "TEST 1 (empty message)",
            seed: TestHex.bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
            publicKey: TestHex.bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
            message: [],
            signature: TestHex.bytes(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                    + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")),
        RFC8032Vector(
            name: "TEST 2 (one byte)",
            seed: TestHex.bytes("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"),
            publicKey: TestHex.bytes("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"),
            message: [0x72],
            signature: TestHex.bytes(
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                    + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")),
        RFC8032Vector(
            name: "TEST 3 (two bytes)",
            seed: TestHex.bytes("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"),
            publicKey: TestHex.bytes("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"),
            message: [0xAF, 0x82],
            signature: TestHex.bytes(
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                    + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")),
    ]
}

@Suite("Ed25519 signatures")
struct Ed25519Tests {
    @Test(arguments: RFC8032Vector.all)
    func verifiesRFC8032Vector(_ vector: RFC8032Vector) throws {
        let key = try #require(Ed25519PublicKey(bytes: vector.publicKey))
        #expect(key.bytes == vector.publicKey)
        #expect(key.isValidSignature(vector.signature, for: vector.message))
    }

    @Test(arguments: RFC8032Vector.all)
    func verifiesByStoredKeyBytes(_ vector: RFC8032Vector) {
        #expect(Ed25519PublicKey.isValidSignature(vector.signature, for: vector.message, byValidatedKey: vector.publicKey))
        #expect(!Ed25519PublicKey.isValidSignature(vector.signature, for: vector.message + [0], byValidatedKey: vector.publicKey))
        #expect(!Ed25519PublicKey.isValidSignature(flippingBit(0, of: vector.signature), for: vector.message,
                                                   byValidatedKey: vector.publicKey))
        #expect(!Ed25519PublicKey.isValidSignature(vector.signature, for: vector.message,
                                                   byValidatedKey: Array(vector.publicKey.dropLast())))
    }

    /// Small-order keys (all zeros, the identity, order 2 and 8 points) verify
    /// nothing, even without the conversion check of `init(bytes:)`.
    @Test(arguments: ["0000000000000000000000000000000000000000000000000000000000000000",
                      "0100000000000000000000000000000000000000000000000000000000000000",
                      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"])
    func storedKeyVerificationRefusesSmallOrderKeys(_ hex: String) {
        // With a small-order key and R = identity, S = 0, the naive equation holds for any message.
        let identitySignature = TestHex.bytes("01" + String(repeating: "00", count: 63))
        #expect(!Ed25519PublicKey.isValidSignature(identitySignature, for: [1, 2, 3], byValidatedKey: TestHex.bytes(hex)))
    }

    /// The test above fails at R = identity before the key is looked at. This
    /// signature satisfies the verification equation [S]B = R + [h]A for a key
    /// of order 8, with a canonical S and an R of large order (made and checked by
    /// Tests/python/small_order_signature.py), so only the key check refuses it.
    @Test func smallOrderKeyRefusedWhenTheEquationHolds() {
        let key = TestHex.bytes("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
        let message = Array("SealDrop: a small-order key verifies nothing".utf8)
        let signature = TestHex.bytes("10fb47d0006d98fc8009aa2b47dc3b39f4fa07e2a3d212db77b4c61ba479acad"
                                      + "c467ff78342d725636e839412dd6e208820a5250c42502ae1d7c3fa3338a3403")
        #expect(!Ed25519PublicKey.isValidSignature(signature, for: message, byValidatedKey: key))
        #expect(Ed25519PublicKey(bytes: key) == nil, "a small-order key is refused at registration too")
    }

    @Test(arguments: RFC8032Vector.all)
    func rejectsAnyFlippedBit(_ vector: RFC8032Vector) throws {
        let key = try #require(Ed25519PublicKey(bytes: vector.publicKey))
        for bit in 0..<(vector.signature.count * 8) {
            let tampered = flippingBit(bit, of: vector.signature)
            #expect(!key.isValidSignature(tampered, for: vector.message), "signature bit \(bit)")
        }
        for bit in 0..<(vector.message.count * 8) {
            let tampered = flippingBit(bit, of: vector.message)
            #expect(!key.isValidSignature(vector.signature, for: tampered), "message bit \(bit)")
        }
        for bit in 0..<(vector.publicKey.count * 8) {
            // A flipped key is often not a valid point at all; when it is, it
            // must not verify the signature.
            if let other = Ed25519PublicKey(bytes: flippingBit(bit, of: vector.publicKey)) {
                #expect(!other.isValidSignature(vector.signature, for: vector.message), "key bit \(bit)")
            }
        }
        #expect(!key.isValidSignature(vector.signature, for: vector.message + [0]))
    }

    @Test(arguments: RFC8032Vector.all)
    func seedReproducesVector(_ vector: RFC8032Vector) throws {
        let pair = try #require(SigningKeyPair(seed: vector.seed))
        #expect(pair.publicKey.bytes == vector.publicKey)
        // Ed25519 signing is deterministic: same seed and message, same signature.
        #expect(pair.signature(for: vector.message) == vector.signature)
        #expect(pair.seed.withUnsafeBytes { Array($0) } == vector.seed)
    }

    @Test func rejectsSignaturesOfWrongLength() throws {
        let vector = RFC8032Vector.all[1]
        let key = try #require(Ed25519PublicKey(bytes: vector.publicKey))
        #expect(!key.isValidSignature([], for: vector.message))
        #expect(!key.isValidSignature(Array(vector.signature.dropLast()), for: vector.message))
        #expect(!key.isValidSignature(vector.signature + [0], for: vector.message))
        #expect(!key.isValidSignature(vector.signature + vector.signature, for: vector.message))
    }

    @Test func rejectsNonCanonicalS() throws {
        // S + L encodes the same scalar; accepting it would make signatures malleable.
        let vector = RFC8032Vector.all[2]
        let key = try #require(Ed25519PublicKey(bytes: vector.publicKey))
        let order = TestHex.bytes("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
        var malleable = vector.signature
        var carry = 0
        for index in 0..<32 {
            let sum = Int(malleable[32 + index]) + Int(order[index]) + carry
            malleable[32 + index] = UInt8(sum & 0xFF)
            carry = sum >> 8
        }
        #expect(carry == 0)
        #expect(malleable != vector.signature)
        #expect(!key.isValidSignature(malleable, for: vector.message))
    }

    @Test func generatedKeyPairRoundTrip() throws {
        let pair = SigningKeyPair()
        let challenge = Tokens.challenge()
        let message = Array(challenge.utf8)
        let signature = pair.signature(for: message)
        #expect(signature.count == 64)

        // As the server sees it: the key arrives as base64 and is validated.
        let registered = try #require(Base64.decode(Base64.encode(pair.publicKey.bytes)))
        let key = try #require(Ed25519PublicKey(bytes: registered))
        #expect(key == pair.publicKey)
        #expect(key.isValidSignature(signature, for: message))
        #expect(!key.isValidSignature(signature, for: Array(Tokens.challenge().utf8)))
        #expect(!SigningKeyPair().publicKey.isValidSignature(signature, for: message))
        #expect(!key.isValidSignature(flippingBit(7, of: signature), for: message))
    }

    @Test func seedRoundTripAndDistinctKeys() throws {
        let pair = SigningKeyPair()
        let restored = try #require(SigningKeyPair(seed: pair.seed.withUnsafeBytes { Array($0) }))
        #expect(restored.publicKey == pair.publicKey)
        #expect(restored.seed == pair.seed)
        #expect(SigningKeyPair().publicKey != pair.publicKey)
        #expect(SigningKeyPair(seed: []) == nil)
        #expect(SigningKeyPair(seed: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(SigningKeyPair(seed: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(SigningKeyPair(seed: [UInt8](repeating: 1, count: 64)) == nil)
    }
}
