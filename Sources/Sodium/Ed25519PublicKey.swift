internal import CSodium

/// An Ed25519 public key, as registered by a recipient: it verifies the
/// recipient's signatures, and its X25519 conversion is what senders seal to.
public struct Ed25519PublicKey: Sendable, Hashable {
    /// Size of a key in bytes (`crypto_sign_PUBLICKEYBYTES`).
    public static let byteCount = Int(crypto_sign_PUBLICKEYBYTES)
    /// Size of a detached signature in bytes (`crypto_sign_BYTES`).
    public static let signatureByteCount = Int(crypto_sign_BYTES)

    /// The 32 key bytes (compressed Edwards point).
    public let bytes: [UInt8]

    /// The same key as an X25519 public key (`crypto_sign_ed25519_pk_to_curve25519`).
    public let x25519: X25519PublicKey

    /// Validates `bytes` as an Ed25519 public key.
    ///
    /// - Returns: `nil` unless `bytes` is exactly 32 bytes and
    ///   `crypto_sign_ed25519_pk_to_curve25519` accepts it: the bytes must decode
    ///   to a point on the curve, in the prime-order subgroup, and not of small
    ///   order (all zeros, the identity `01 00…00`, and the other low-order points
    ///   are refused). Such a key can receive sealed boxes and verify signatures.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        SodiumLibrary.initialize()
        var converted = [UInt8](repeating: 0, count: X25519PublicKey.byteCount)
        guard crypto_sign_ed25519_pk_to_curve25519(&converted, bytes) == 0 else { return nil }
        self.bytes = bytes
        // A prime-order Edwards point maps to a prime-order Montgomery point, so
        // the small-order probe of X25519PublicKey(bytes:) would only cost time.
        self.x25519 = X25519PublicKey(validated: converted)
    }

    /// Verifies a detached Ed25519 signature over `message` (`crypto_sign_verify_detached`).
    ///
    /// libsodium also refuses non-canonical signatures (S not reduced) and
    /// signatures whose R is of small order, so signatures are not malleable.
    /// - Returns: `false` for a signature that is not 64 bytes or does not verify.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureByteCount else { return false }
        SodiumLibrary.initialize()
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }

    /// Verifies a detached signature against key bytes that ``init(bytes:)``
    /// accepted before (a key stored at registration), without converting the key
    /// again: the conversion costs as much as the verification itself.
    /// `crypto_sign_verify_detached` refuses non-canonical and small-order keys on
    /// its own.
    /// - Returns: `false` for a key that is not 32 bytes, a signature that is not
    ///   64 bytes, or a signature that does not verify.
    public static func isValidSignature(_ signature: [UInt8], for message: [UInt8], byValidatedKey key: [UInt8]) -> Bool {
        guard key.count == byteCount, signature.count == signatureByteCount else { return false }
        SodiumLibrary.initialize()
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), key) == 0
    }
}
