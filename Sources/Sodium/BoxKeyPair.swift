internal import CSodium

/// An X25519 key pair for opening sealed boxes: client side, used by tests and
/// client tools. The 32-byte secret key lives in a ``SecretBytes`` and is wiped
/// when the key pair is released.
///
/// Sendable: immutable after `init`; libsodium only reads the secret key.
public final class BoxKeyPair: Sendable {
    /// Size of a secret key in bytes (`crypto_box_SECRETKEYBYTES`).
    public static let secretKeyByteCount = Int(crypto_box_SECRETKEYBYTES)

    /// The public half, which senders seal to.
    public let publicKey: X25519PublicKey
    /// The secret scalar, for client tools that must store it; never log it
    /// (its `description` is redacted).
    public let secretKey: SecretBytes

    /// A new random key pair (`crypto_box_keypair`).
    public convenience init() {
        SodiumLibrary.initialize()
        self.init(derivingFrom: SecretBytes(count: Self.secretKeyByteCount) { buffer in
            var unusedPublic = [UInt8](repeating: 0, count: X25519PublicKey.byteCount)
            _ = crypto_box_keypair(&unusedPublic, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        })
    }

    /// The key pair of a stored 32-byte secret key.
    /// - Returns: `nil` when `secretKey` is not 32 bytes.
    public convenience init?(secretKey: SecretBytes) {
        guard secretKey.count == Self.secretKeyByteCount else { return nil }
        self.init(derivingFrom: secretKey)
    }

    /// Derives the public key from the secret (`crypto_scalarmult_base`), so the
    /// pair is consistent however the secret was obtained.
    init(derivingFrom secretKey: SecretBytes) {
        precondition(secretKey.count == Self.secretKeyByteCount)
        SodiumLibrary.initialize()
        var publicBytes = [UInt8](repeating: 0, count: X25519PublicKey.byteCount)
        _ = crypto_scalarmult_base(&publicBytes, secretKey.unsafePointer)
        self.publicKey = X25519PublicKey(validated: publicBytes)
        self.secretKey = secretKey
    }
}
