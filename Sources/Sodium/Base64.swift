internal import CSodium

/// Base64 in the two forms SealDrop's API uses, through libsodium's
/// constant-time codec (`sodium_bin2base64` / `sodium_base642bin`), so decoding a
/// key or ciphertext does not leak its content through timing.
public enum Base64 {
    /// Decodes standard base64 (`+` `/`, with `=` padding), strictly.
    ///
    /// Wraps `sodium_base642bin` with variant `ORIGINAL`, no ignored characters
    /// and no end pointer, so libsodium itself insists that the whole input is
    /// consumed. Rejected, among others: missing or extra padding, whitespace or
    /// line breaks anywhere, the url-safe characters `-` and `_`, anything after
    /// the padding, and non-canonical trailing bits (`"Zh=="`, which a lenient
    /// decoder would read as `"f"`).
    ///
    /// - Returns: the decoded bytes, or `nil` when `text` is not canonical base64.
    ///   The empty string decodes to no bytes.
    public static func decode(_ text: String) -> [UInt8]? {
        SodiumLibrary.initialize()
        let input = Array(text.utf8)
        // Three bytes per four characters, plus slack so that a malformed tail
        // makes libsodium fail on content, never on output space.
        let capacity = input.count / 4 * 3 + 3
        var decodedCount = 0
        var status: Int32 = -1
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
            status = input.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { characters in
                    sodium_base642bin(
                        buffer.baseAddress!, buffer.count,
                        characters.baseAddress, characters.count,
                        nil, &decodedCount, nil, sodium_base64_VARIANT_ORIGINAL)
                }
            }
            // libsodium reports no length on failure; keep nothing then.
            initializedCount = status == 0 ? decodedCount : 0
        }
        return status == 0 ? output : nil
    }

    /// Encodes `bytes` as standard base64 with `=` padding (`sodium_bin2base64`,
    /// variant `ORIGINAL`).
    public static func encode(_ bytes: [UInt8]) -> String {
        encode(bytes, variant: sodium_base64_VARIANT_ORIGINAL)
    }

    /// Encodes `bytes` as base64url (`-` `_`) without padding
    /// (`sodium_bin2base64`, variant `URLSAFE_NO_PADDING`), the form of tokens
    /// that travel in URLs.
    public static func encodeURLSafeNoPadding(_ bytes: [UInt8]) -> String {
        encode(bytes, variant: sodium_base64_VARIANT_URLSAFE_NO_PADDING)
    }

    private static func encode(_ bytes: [UInt8], variant: Int32) -> String {
        SodiumLibrary.initialize()
        // The length libsodium asks for includes the C string's terminating NUL.
        let capacity = sodium_base64_encoded_len(bytes.count, variant)
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                _ = sodium_bin2base64(characters.baseAddress!, capacity, bytes, bytes.count, variant)
            }
            return capacity - 1
        }
    }
}
