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
        decode(text, variant: sodium_base64_VARIANT_ORIGINAL)
    }

    /// Decodes base64url (`-` `_`) without padding, strictly, as ``decode(_:)``
    /// does standard base64 (`sodium_base642bin`, variant `URLSAFE_NO_PADDING`):
    /// `+`, `/`, `=`, whitespace and non-canonical trailing bits are refused.
    ///
    /// - Returns: the decoded bytes, or `nil` when `text` is not canonical base64url.
    public static func decodeURLSafeNoPadding(_ text: String) -> [UInt8]? {
        decode(text, variant: sodium_base64_VARIANT_URLSAFE_NO_PADDING)
    }

    private static func decode(_ text: String, variant: Int32) -> [UInt8]? {
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
                        nil, &decodedCount, nil, variant)
                }
            }
            // libsodium reports no length on failure; keep nothing then.
            initializedCount = status == 0 ? decodedCount : 0
        }
        return status == 0 ? output : nil
    }

    /// Checks that `text` is exactly what ``decode(_:)`` accepts and returns how
    /// many bytes it stands for, without decoding it.
    ///
    /// For data the server only stores and never reads, such as a sealed box: its
    /// content is no secret to anyone who can see the request, so the
    /// constant-time codec (a third of the time spent answering a 16 KiB `/send`)
    /// would buy nothing. Same rules: whole groups of four, padding only at the
    /// end and only as much as the last group needs, the standard alphabet, and
    /// zero trailing bits.
    public static func decodedByteCount(_ text: String) -> Int? {
        // Native strings are contiguous UTF-8; a bridged one is copied first.
        if let counted = text.utf8.withContiguousStorageIfAvailable({ decodedByteCount(utf8: $0) }) { return counted }
        return Array(text.utf8).withUnsafeBufferPointer { decodedByteCount(utf8: $0) }
    }

    private static func decodedByteCount(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        guard count % 4 == 0 else { return nil }
        guard count > 0 else { return 0 }
        let padding = bytes[count - 1] != UInt8(ascii: "=") ? 0 : bytes[count - 2] != UInt8(ascii: "=") ? 1 : 2
        let dataEnd = count - padding
        // The table is fetched once: a global read in the loop would check its
        // lazy initialisation on every character.
        return sextets.withUnsafeBufferPointer { table -> Int? in
            for index in 0..<dataEnd where table[Int(bytes[index])] == invalidSextet { return nil }
            // The bits the padding leaves over in the last character must be zero.
            let last = table[Int(bytes[dataEnd - 1])]
            if padding == 2 && last & 0x0F != 0 { return nil }
            if padding == 1 && last & 0x03 != 0 { return nil }
            return count / 4 * 3 - padding
        }
    }

    private static let invalidSextet: UInt8 = 0xFF

    /// The value of each standard-alphabet character; ``invalidSextet`` for every other byte.
    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: invalidSextet, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

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
