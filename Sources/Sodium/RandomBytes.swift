internal import CSodium

/// Cryptographically secure random bytes from libsodium's generator
/// (`randombytes_buf`, backed by `getrandom(2)` on Linux).
public enum RandomBytes {
    /// Returns `count` random bytes (`randombytes_buf`). `count` must not be negative.
    public static func generate(count: Int) -> [UInt8] {
        precondition(count >= 0, "RandomBytes.generate: negative count")
        SodiumLibrary.initialize()
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            if let base = buffer.baseAddress, count > 0 {
                randombytes_buf(base, count)
            }
            initializedCount = count
        }
    }

    /// Fills `buffer` with random bytes (`randombytes_buf`); used for secrets that
    /// must never pass through an ordinary array.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        SodiumLibrary.initialize()
        if let base = buffer.baseAddress, buffer.count > 0 {
            randombytes_buf(base, buffer.count)
        }
    }
}
