import Sodium
import Testing

@Suite("Tokens")
struct TokenTests {
    static let urlSafeAlphabet = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let standardAlphabet = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let draws = 5_000

    /// Decodes unpadded base64url with the strict standard decoder, after mapping
    /// the alphabet and restoring padding, to check the decoded length.
    static func decodeURLSafe(_ text: String) -> [UInt8]? {
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        standard += String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        return Base64.decode(standard)
    }

    @Test func linkTokenFormat() throws {
        let token = Tokens.linkToken()
        #expect(token.hasPrefix("link_"))
        let body = String(token.dropFirst(5))
        #expect(token.utf8.count == 37)
        #expect(body.utf8.count == 32)
        #expect(body.utf8.allSatisfy(Self.urlSafeAlphabet.contains))
        let decoded = try #require(Self.decodeURLSafe(body))
        #expect(decoded.count == 24)
        #expect(Base64.encodeURLSafeNoPadding(decoded) == body)
    }

    @Test func fetchTokenFormat() throws {
        let token = Tokens.fetchToken()
        #expect(token.utf8.count == 64)
        #expect(token.utf8.allSatisfy(Self.urlSafeAlphabet.contains))
        #expect(!token.contains("="))
        let decoded = try #require(Self.decodeURLSafe(token))
        #expect(decoded.count == 48)
    }

    @Test func challengeFormat() throws {
        let challenge = Tokens.challenge()
        #expect(challenge.utf8.count == 44)
        #expect(challenge.hasSuffix("=") && !challenge.hasSuffix("=="))
        #expect(challenge.dropLast().utf8.allSatisfy(Self.standardAlphabet.contains))
        let decoded = try #require(Base64.decode(challenge))
        #expect(decoded.count == 32)
        #expect(Base64.encode(decoded) == challenge)
    }

    @Test func tokensAreUniqueOverManyDraws() {
        #expect(Set((0..<Self.draws).map { _ in Tokens.linkToken() }).count == Self.draws)
        #expect(Set((0..<Self.draws).map { _ in Tokens.fetchToken() }).count == Self.draws)
        #expect(Set((0..<Self.draws).map { _ in Tokens.challenge() }).count == Self.draws)
    }

    @Test func tokensUseTheWholeAlphabet() {
        // 2 000 tokens of 32 characters: every one of the 64 symbols must show up
        // (each is missed with probability ~1e-444), which a broken encoder or a
        // generator stuck on a few values would not achieve.
        var seen = Set<UInt8>()
        for _ in 0..<2_000 { seen.formUnion(Tokens.linkToken().dropFirst(5).utf8) }
        #expect(seen == Self.urlSafeAlphabet)
    }

    @Test func randomBytes() {
        #expect(RandomBytes.generate(count: 0).isEmpty)
        #expect(RandomBytes.generate(count: 1).count == 1)
        let a = RandomBytes.generate(count: 32)
        let b = RandomBytes.generate(count: 32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(a != [UInt8](repeating: 0, count: 32))
    }
}
