import Sodium
import Testing

@Suite("Sealed boxes")
struct SealedBoxTests {
    @Test func overheadIs48() {
        #expect(SealedBox.overhead == 48)
    }

    @Test(arguments: [0, 1, 47, 48, 100, 16 * 1024])
    func roundTrip(length: Int) throws {
        let recipient = BoxKeyPair()
        let message = RandomBytes.generate(count: length)
        let box = SealedBox.seal(message, to: recipient.publicKey)
        #expect(box.count == length + SealedBox.overhead)
        #expect(try #require(SealedBox.open(box, with: recipient)) == message)
        // A fresh ephemeral key every time: the same message never seals alike.
        #expect(SealedBox.seal(message, to: recipient.publicKey) != box)
    }

    @Test func roundTripThroughRegisteredSigningKey() throws {
        // The default flow: the sender seals to the X25519 conversion of the
        // recipient's registered Ed25519 key; the recipient opens with the
        // converted secret key.
        let recipient = SigningKeyPair()
        let advertised = try #require(Ed25519PublicKey(bytes: recipient.publicKey.bytes))
        let message = Array("hello, drop".utf8)
        let box = SealedBox.seal(message, to: advertised.x25519)
        #expect(SealedBox.open(box, with: recipient.encryptionKeyPair()) == message)
    }

    @Test func libsodiumVectorKeyOpensWhatIsSealedToItsPublicKey() throws {
        let recipient = try #require(SigningKeyPair(seed: KeyValidationTests.convertSeed))
        let key = try #require(X25519PublicKey(bytes: KeyValidationTests.convertedPublic))
        let box = SealedBox.seal([1, 2, 3], to: key)
        #expect(SealedBox.open(box, with: recipient.encryptionKeyPair()) == [1, 2, 3])
    }

    @Test func detectsTamperingInEveryByte() {
        let recipient = BoxKeyPair()
        let box = SealedBox.seal(Array("attack at dawn".utf8), to: recipient.publicKey)
        for index in box.indices {
            var tampered = box
            tampered[index] ^= 0x01
            #expect(SealedBox.open(tampered, with: recipient) == nil, "byte \(index)")
        }
    }

    @Test func rejectsWrongKeyAndBadLengths() {
        let recipient = BoxKeyPair()
        let box = SealedBox.seal(Array("secret".utf8), to: recipient.publicKey)
        #expect(SealedBox.open(box, with: BoxKeyPair()) == nil)
        #expect(SealedBox.open(Array(box.dropLast()), with: recipient) == nil)
        #expect(SealedBox.open(box + [0], with: recipient) == nil)
        #expect(SealedBox.open([], with: recipient) == nil)
        #expect(SealedBox.open([UInt8](repeating: 0, count: 47), with: recipient) == nil)
        #expect(SealedBox.open([UInt8](repeating: 0, count: 48), with: recipient) == nil)
    }

    @Test func boxKeyPairRestoresFromItsSecretKey() throws {
        let pair = BoxKeyPair()
        let restored = try #require(BoxKeyPair(secretKey: SecretBytes(copying: pair.secretKey.withUnsafeBytes { Array($0) })))
        #expect(restored.publicKey == pair.publicKey)
        let box = SealedBox.seal([42], to: pair.publicKey)
        #expect(SealedBox.open(box, with: restored) == [42])
        #expect(BoxKeyPair(secretKey: SecretBytes(randomCount: 31)) == nil)
        #expect(BoxKeyPair().publicKey != pair.publicKey)
    }
}
