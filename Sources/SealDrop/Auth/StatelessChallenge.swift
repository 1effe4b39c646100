import Sodium

/// A challenge that carries its own proof of issue, so issuing one writes nothing.
///
/// `sd1.` + base64url without padding of 40 bytes (58 ASCII characters in all):
///
///     expiry   8 bytes  UInt64 big-endian, seconds since 1970 (UTC)
///     nonce   16 bytes  random
///     mac     16 bytes  the first 16 bytes of HMAC-SHA-256(key,
///                       "SealDrop challenge v1" ‖ link_token ‖ 0x00 ‖ expiry ‖ nonce)
///
/// The key is a server secret the database holds (`challenge_key`), so every
/// responder on every host checks what any of them issued. The MAC binds the
/// challenge to its link and its expiry; it is used once because its nonce is
/// recorded when it is used (``Store/recordChallengeUse(nonce:linkToken:expiry:)``).
/// Clients sign its UTF-8 bytes, as they signed the older random challenges.
struct StatelessChallenge: Equatable {
    static let prefix = "sd1."
    static let nonceByteCount = 16
    static let macByteCount = 16
    private static let expiryByteCount = 8
    private static let payloadByteCount = expiryByteCount + nonceByteCount + macByteCount
    /// The secret's name in `sealdrop_settings`.
    static let keyName = "challenge_key"
    private static let domain = Array("SealDrop challenge v1".utf8)

    /// Seconds since 1970 after which it is refused.
    let expiry: UInt64
    let nonce: [UInt8]

    /// A new challenge for `linkToken`, expiring `lifetimeSeconds` from `now`.
    static func issue(for linkToken: String, key: [UInt8], now: UInt64, lifetimeSeconds: Int) -> String {
        let challenge = StatelessChallenge(expiry: now + UInt64(lifetimeSeconds),
                                           nonce: RandomBytes.generate(count: nonceByteCount))
        return challenge.encoded(for: linkToken, key: key)
    }

    /// The challenge's text, MAC'd for `linkToken` under `key`.
    func encoded(for linkToken: String, key: [UInt8]) -> String {
        let head = Self.bigEndian(expiry) + nonce
        return Self.prefix + Base64.encodeURLSafeNoPadding(head + Self.mac(head, linkToken: linkToken, key: key))
    }

    /// Whether `text` is in this format at all (by its prefix): anything else is
    /// an older challenge, kept as a row.
    static func isStateless(_ text: String) -> Bool { text.hasPrefix(prefix) }

    /// The challenge `text` stands for when it was issued for `linkToken` under
    /// `key`: nil when it is malformed, its MAC (compared in constant time) does
    /// not match, or it was issued for another link. Expiry is the caller's to check.
    static func verified(_ text: String, linkToken: String, key: [UInt8]) -> StatelessChallenge? {
        guard text.utf8.count <= 128, text.hasPrefix(prefix),
              let payload = Base64.decodeURLSafeNoPadding(String(text.dropFirst(prefix.count))),
              payload.count == payloadByteCount else { return nil }
        let head = Array(payload[..<(expiryByteCount + nonceByteCount)])
        let mac = Array(payload[(expiryByteCount + nonceByteCount)...])
        guard ConstantTime.equal(mac, Self.mac(head, linkToken: linkToken, key: key)) else { return nil }
        let expiry = head[..<expiryByteCount].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return StatelessChallenge(expiry: expiry, nonce: Array(head[expiryByteCount...]))
    }

    private static func mac(_ head: [UInt8], linkToken: String, key: [UInt8]) -> [UInt8] {
        // The 0x00 ends the link token (which never holds one), so no link and
        // expiry can be read as another link and expiry.
        let message = domain + Array(linkToken.utf8) + [0] + head
        return Array(HMACSHA256.authenticator(for: message, key: key).prefix(macByteCount))
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }
}
