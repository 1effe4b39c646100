internal import CSodium

/// HMAC-SHA-256 (`crypto_auth_hmacsha256`): a keyed hash, so a value such as
/// a client's address can be counted by its digest without being stored.
public enum HMACSHA256 {
    /// The 32-byte authenticator of `message` under `key` (any length).
    public static func authenticator(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        SodiumLibrary.initialize()
        var state = crypto_auth_hmacsha256_state()
        defer { sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size) }
        crypto_auth_hmacsha256_init(&state, key, key.count)
        crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        return [UInt8](unsafeUninitializedCapacity: Int(crypto_auth_hmacsha256_BYTES)) { buffer, count in
            crypto_auth_hmacsha256_final(&state, buffer.baseAddress!)
            count = Int(crypto_auth_hmacsha256_BYTES)
        }
    }

    /// The authenticator as 64 lowercase hex characters.
    public static func hexAuthenticator(for message: String, key: [UInt8]) -> String {
        Hex.encode(authenticator(for: Array(message.utf8), key: key))
    }
}
