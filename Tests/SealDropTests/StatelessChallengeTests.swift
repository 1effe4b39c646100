import Sodium
import Testing
@testable import SealDrop

@Suite("Stateless challenge format")
struct StatelessChallengeFormatTests {
    let key = RandomBytes.generate(count: 32)
    let link = "link_" + String(repeating: "A", count: 32)

    @Test func issuedChallengeVerifiesForItsLinkOnly() throws {
        let text = StatelessChallenge.issue(for: link, key: key, now: 1_000, lifetimeSeconds: 300)
        #expect(text.hasPrefix("sd1.") && text.utf8.count == 58 && text.utf8.count <= 128)
        let parsed = try #require(StatelessChallenge.verified(text, linkToken: link, key: key))
        #expect(parsed.expiry == 1_300 && parsed.nonce.count == 16)
        #expect(StatelessChallenge.verified(text, linkToken: link + "B", key: key) == nil)
        #expect(StatelessChallenge.verified(text, linkToken: link, key: RandomBytes.generate(count: 32)) == nil)
        #expect(StatelessChallenge.verified(text + " ", linkToken: link, key: key) == nil)
        #expect(StatelessChallenge.verified("sd1." + String(repeating: "A", count: 200), linkToken: link, key: key) == nil)
        #expect(StatelessChallenge.issue(for: link, key: key, now: 1_000, lifetimeSeconds: 300) != text)
    }

    @Test func everyAlteredByteIsRefused() throws {
        let text = StatelessChallenge.issue(for: link, key: key, now: 1_000, lifetimeSeconds: 300)
        let payload = try #require(Base64.decodeURLSafeNoPadding(String(text.dropFirst(4))))
        for index in payload.indices {
            var altered = payload
            altered[index] ^= 0x80
            #expect(StatelessChallenge.verified("sd1." + Base64.encodeURLSafeNoPadding(altered), linkToken: link, key: key) == nil,
                    "byte \(index) altered")
        }
    }
}
