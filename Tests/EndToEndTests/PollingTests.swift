import Foundation
import Sodium
import Synchronization
import Testing
import TestSupport

/// Issue 5, point 2: a poller using `since_id` = the highest id it has seen never
/// misses a message, however many senders post to the link at once. It takes that
/// id from `next_cursor`, as clients of the original server do (issue 12).
@Suite("Polling")
struct PollingTests {
    @Test("12 concurrent senders, one poller: every accepted message delivered exactly once")
    func pollerMissesNothing() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let key = recipient.boxKeys.publicKey.bytes
        let linkToken = recipient.linkToken
        let fetchToken = recipient.registration.fetchToken
        let sendersDone = Atomic<Int>(0)
        let senders = 12, perSender = 20

        // The poller runs beside the senders; it stops once they are done and one
        // final poll comes back empty.
        let results = runConcurrently(senders + 1) { worker -> [Int64] in
            if worker == senders {
                return pollSinceID(api, linkToken: linkToken, fetchToken: fetchToken) {
                    sendersDone.load(ordering: .acquiring) == senders
                } ?? [-1]
            }
            defer { sendersDone.add(1, ordering: .releasing) }
            guard let recipientKey = X25519PublicKey(bytes: key) else { return [] }
            return (0..<perSender).compactMap { index in
                let box = Base64.encode(SealedBox.seal(Array("s\(worker)-\(index)".utf8), to: recipientKey))
                guard let response = try? api.send(linkToken: linkToken, ciphertext: box), response.status == 201 else {
                    return -1
                }
                return response.json?["id"]?.int
            }
        }
        let accepted = results[0..<senders].flatMap { $0 }
        let delivered = results[senders]
        #expect(!accepted.contains(-1), "every send was accepted")
        #expect(accepted.count == senders * perSender)
        #expect(!delivered.contains(-1), "every poll answered 200")
        #expect(delivered.count == Set(delivered).count, "no message delivered twice")
        #expect(Set(delivered) == Set(accepted), "every accepted message delivered")
        #expect(delivered == delivered.sorted(), "delivered in id order")
    }
}
