import Sodium
import Testing

@Suite struct HMACSHA256Tests {
    /// RFC 4231 test case 2 (key "Jefe"): a key shorter than the block size.
    @Test func matchesRFC4231() {
        let mac = HMACSHA256.hexAuthenticator(for: "what do ya want for nothing?", key: Array("Jefe".utf8))
        #expect(mac == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func differentKeysGiveDifferentDigests() {
        let a = HMACSHA256.hexAuthenticator(for: "203.0.113.7", key: [1, 2, 3])
        let b = HMACSHA256.hexAuthenticator(for: "203.0.113.7", key: [1, 2, 4])
        #expect(a != b)
        #expect(a.count == 64)
    }
}
