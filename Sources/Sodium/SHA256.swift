internal import CSodium

/// SHA-256 (`crypto_hash_sha256`), used to store fetch tokens as digests only.
public enum SHA256 {
    /// Size of a digest in bytes (`crypto_hash_sha256_BYTES`).
    public static let byteCount = Int(crypto_hash_sha256_BYTES)

    /// The 32-byte SHA-256 digest of `bytes` (`crypto_hash_sha256`).
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        SodiumLibrary.initialize()
        return [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initializedCount in
            _ = crypto_hash_sha256(buffer.baseAddress!, bytes, UInt64(bytes.count))
            initializedCount = byteCount
        }
    }

    /// The digest of `bytes` as 64 lowercase hex characters (`sodium_bin2hex`,
    /// constant-time), the form the original server stored.
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        Hex.encode(hash(bytes))
    }

    /// The digest of the UTF-8 bytes of `text` as 64 lowercase hex characters;
    /// equal to Python's `hashlib.sha256(text.encode()).hexdigest()`.
    public static func hexDigest(utf8 text: String) -> String {
        hexDigest(Array(text.utf8))
    }
}

/// Lowercase hex through libsodium's constant-time encoder.
public enum Hex {
    /// `bytes` as lowercase hex (`sodium_bin2hex`).
    public static func encode(_ bytes: [UInt8]) -> String {
        SodiumLibrary.initialize()
        // sodium_bin2hex writes a terminating NUL after the 2n characters.
        let capacity = bytes.count * 2 + 1
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                _ = sodium_bin2hex(characters.baseAddress!, capacity, bytes, bytes.count)
            }
            return capacity - 1
        }
    }
}
