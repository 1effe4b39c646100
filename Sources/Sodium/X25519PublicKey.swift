internal import CSodium

/// An X25519 (Curve25519 Diffie-Hellman) public key: what a sealed box is
/// encrypted to.
public struct X25519PublicKey: Sendable, Hashable {
    /// Size of a key in bytes (`crypto_box_PUBLICKEYBYTES`).
    public static let byteCount = Int(crypto_box_PUBLICKEYBYTES)

    /// The 32 key bytes (the point's u-coordinate, little-endian).
    public let bytes: [UInt8]

    /// Validates `bytes` as an X25519 public key.
    ///
    /// - Returns: `nil` unless `bytes` is exactly 32 bytes and not a point of small
    ///   order (all zeros, one, and the other low-order points). The check is one
    ///   `crypto_scalarmult` with a fixed scalar: libsodium fails it exactly when
    ///   the shared secret would be all zeros, which is also when `crypto_box_seal`
    ///   to this key would fail, so a key accepted here can always be sealed to.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount, Self.hasLargeOrder(bytes) else { return nil }
        self.bytes = bytes
    }

    /// For keys libsodium has just produced or converted (already known valid).
    init(validated bytes: [UInt8]) {
        assert(bytes.count == Self.byteCount)
        self.bytes = bytes
    }

    /// Any scalar works: libsodium clamps it to a multiple of the cofactor, so the
    /// product is the identity (and `crypto_scalarmult` returns -1) exactly for
    /// small-order points.
    private static let probeScalar = [UInt8](repeating: 0x5A, count: Int(crypto_scalarmult_SCALARBYTES))

    private static func hasLargeOrder(_ point: [UInt8]) -> Bool {
        SodiumLibrary.initialize()
        var product = [UInt8](repeating: 0, count: Int(crypto_scalarmult_BYTES))
        return crypto_scalarmult(&product, probeScalar, point) == 0
    }
}
