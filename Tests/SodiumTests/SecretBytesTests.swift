import Sodium
import Testing

@Suite("SecretBytes")
struct SecretBytesTests {
    struct WriteFailed: Error {}

    @Test func holdsWhatItWasGiven() {
        let secret = SecretBytes(copying: [1, 2, 3])
        #expect(secret.count == 3)
        #expect(secret.withUnsafeBytes { Array($0) } == [1, 2, 3])
        #expect(SecretBytes(copying: []).count == 0)
        #expect(SecretBytes(copying: []).withUnsafeBytes { $0.count } == 0)
    }

    @Test func equalityComparesContentAndLength() {
        #expect(SecretBytes(copying: [1, 2, 3]) == SecretBytes(copying: [1, 2, 3]))
        #expect(SecretBytes(copying: [1, 2, 3]) != SecretBytes(copying: [1, 2, 4]))
        #expect(SecretBytes(copying: [1, 2, 3]) != SecretBytes(copying: [1, 2]))
        #expect(SecretBytes(copying: []) == SecretBytes(copying: []))
    }

    @Test func randomSecretsDiffer() {
        let a = SecretBytes(randomCount: 32)
        let b = SecretBytes(randomCount: 32)
        #expect(a.count == 32)
        #expect(a != b)
    }

    @Test func descriptionNeverShowsTheBytes() {
        let secret = SecretBytes(copying: Array("hunter2-hunter2".utf8))
        for text in [secret.description, secret.debugDescription, String(describing: secret),
                     String(reflecting: secret), "\(secret)"] {
            #expect(!text.contains("hunter2"))
            #expect(text.contains("redacted"))
        }
    }

    @Test func initializerWritesAndErrorsPropagate() throws {
        let written = SecretBytes(count: 4) { buffer in
            for index in buffer.indices { buffer[index] = UInt8(index + 10) }
        }
        #expect(written.withUnsafeBytes { Array($0) } == [10, 11, 12, 13])
        #expect(throws: WriteFailed.self) {
            _ = try SecretBytes(count: 4) { (_: UnsafeMutableRawBufferPointer) throws(WriteFailed) in
                throw WriteFailed()
            }
        }
    }

    @Test func sharedAcrossTasks() async {
        // Sendable by design (immutable); reading from many tasks at once is fine.
        let pair = SigningKeyPair()
        let message = Array("concurrent".utf8)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { pair.publicKey.isValidSignature(pair.signature(for: message), for: message) }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 })
    }
}
