internal import CSodium

/// Comparisons whose running time does not depend on where the inputs differ
/// (`sodium_memcmp`), for tokens, digests and other secrets.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes.
    ///
    /// Returns `false` at once on a length mismatch (lengths are not secret here:
    /// every token and digest compared has a fixed, public length); otherwise
    /// compares all bytes with `sodium_memcmp`.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        SodiumLibrary.initialize()
        return sodium_memcmp(a, b, a.count) == 0
    }

    /// True when the UTF-8 encodings of `a` and `b` are identical (byte-wise,
    /// no Unicode normalisation), compared like the byte-array overload.
    public static func equal(_ a: String, _ b: String) -> Bool {
        equal(Array(a.utf8), Array(b.utf8))
    }

    /// Compares two raw buffers of any length in constant time (after the length check).
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let left = a.baseAddress, let right = b.baseAddress, a.count > 0 else { return true }
        SodiumLibrary.initialize()
        return sodium_memcmp(left, right, a.count) == 0
    }
}
