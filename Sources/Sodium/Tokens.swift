/// The random tokens of SealDrop's API, in the formats clients of the original
/// server already parse.
///
/// All draw from ``RandomBytes`` (libsodium's CSPRNG). Tokens are secrets: callers
/// must not log them; the fetch token is only ever stored as its SHA-256 hex digest.
public enum Tokens {
    /// Random bytes behind a link token: 192 bits, 32 base64url characters.
    public static let linkTokenByteCount = 24
    /// Random bytes behind a fetch token: 384 bits, 64 base64url characters.
    public static let fetchTokenByteCount = 48
    /// Random bytes behind a challenge: 256 bits, 44 standard-base64 characters.
    public static let challengeByteCount = 32
    /// Prefix that marks a link token.
    public static let linkTokenPrefix = "link_"

    /// A new link token: `"link_"` followed by the unpadded base64url encoding of
    /// 24 random bytes (37 characters in all).
    public static func linkToken() -> String {
        linkTokenPrefix + Base64.encodeURLSafeNoPadding(RandomBytes.generate(count: linkTokenByteCount))
    }

    /// A new fetch token: the unpadded base64url encoding of 48 random bytes
    /// (64 characters).
    public static func fetchToken() -> String {
        Base64.encodeURLSafeNoPadding(RandomBytes.generate(count: fetchTokenByteCount))
    }

    /// A random challenge in the original server's format: the standard, padded
    /// base64 encoding of 32 random bytes (44 characters), which had to be stored to
    /// be checked. SealDrop 0.11 issues MAC'd challenges instead (`StatelessChallenge`
    /// in the SealDrop module) and accepts this kind only from its `challenges` rows.
    public static func challenge() -> String {
        Base64.encode(RandomBytes.generate(count: challengeByteCount))
    }
}
