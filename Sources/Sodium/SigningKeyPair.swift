internal import CSodium

/// An Ed25519 signing key pair: the client side of SealDrop's authentication
/// (sign a challenge) and, through ``encryptionKeyPair()``, of its encryption
/// (open sealed boxes). Used by tests and client tools; the server only verifies.
///
/// The 64-byte libsodium secret key (seed followed by public key) lives in a
/// ``SecretBytes`` and is wiped when the key pair is released.
///
/// Sendable: immutable after `init`, and libsodium's signing and conversion
/// functions only read the secret key, so concurrent use is safe.
public final class SigningKeyPair: Sendable {
    /// Size of a seed in bytes (`crypto_sign_SEEDBYTES`).
    public static let seedByteCount = Int(crypto_sign_SEEDBYTES)
    private static let secretKeyByteCount = Int(crypto_sign_SECRETKEYBYTES)

    /// The public half, to register with the server.
    public let publicKey: Ed25519PublicKey
    private let secretKey: SecretBytes

    /// A new random key pair (`crypto_sign_keypair`).
    public convenience init() {
        SodiumLibrary.initialize()
        var publicBytes = [UInt8](repeating: 0, count: Ed25519PublicKey.byteCount)
        let secret = SecretBytes(count: Self.secretKeyByteCount) { buffer in
            _ = crypto_sign_keypair(&publicBytes, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        self.init(publicBytes: publicBytes, secretKey: secret)
    }

    /// The key pair derived from a 32-byte seed (`crypto_sign_seed_keypair`);
    /// the same seed always gives the same keys (RFC 8032 calls the seed the
    /// "secret key").
    /// - Returns: `nil` when `seed` is not 32 bytes.
    public convenience init?(seed: [UInt8]) {
        guard seed.count == Self.seedByteCount else { return nil }
        SodiumLibrary.initialize()
        var publicBytes = [UInt8](repeating: 0, count: Ed25519PublicKey.byteCount)
        let secret = SecretBytes(count: Self.secretKeyByteCount) { buffer in
            _ = crypto_sign_seed_keypair(
                &publicBytes, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), seed)
        }
        self.init(publicBytes: publicBytes, secretKey: secret)
    }

    private init(publicBytes: [UInt8], secretKey: SecretBytes) {
        // libsodium derives the public key by scalar multiplication of the base
        // point, which is always in the prime-order subgroup: conversion cannot fail.
        guard let publicKey = Ed25519PublicKey(bytes: publicBytes) else {
            preconditionFailure("libsodium produced an Ed25519 public key it cannot convert")
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The 32-byte seed this key pair derives from (`crypto_sign_ed25519_sk_to_seed`),
    /// for client tools that store the key; ``init(seed:)`` restores it.
    public var seed: SecretBytes {
        SecretBytes(count: Self.seedByteCount) { buffer in
            _ = crypto_sign_ed25519_sk_to_seed(
                buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), secretKey.unsafePointer)
        }
    }

    /// A detached Ed25519 signature of `message`, 64 bytes (`crypto_sign_detached`).
    public func signature(for message: [UInt8]) -> [UInt8] {
        let count = Ed25519PublicKey.signatureByteCount
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            var written: UInt64 = 0
            _ = crypto_sign_detached(
                buffer.baseAddress!, &written, message, UInt64(message.count), secretKey.unsafePointer)
            initializedCount = count
        }
    }

    /// The X25519 key pair that corresponds to this signing key
    /// (`crypto_sign_ed25519_sk_to_curve25519`): it opens sealed boxes sent to
    /// `publicKey.x25519`, as the server advertises by default.
    public func encryptionKeyPair() -> BoxKeyPair {
        let secret = SecretBytes(count: BoxKeyPair.secretKeyByteCount) { buffer in
            _ = crypto_sign_ed25519_sk_to_curve25519(
                buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), secretKey.unsafePointer)
        }
        return BoxKeyPair(derivingFrom: secret)
    }
}
