/// The spellings real clients of the original server send, which it accepted
/// (design.md, "Clients in the field"): Python clients send numbers as strings,
/// Android's `Base64.DEFAULT` wraps base64 at 76 columns. Each is taken in one
/// exact form only, so nothing a client could mean two ways is guessed at.
extension RequestBody {
    /// A base64 field without the ASCII whitespace (space, tab, CR, LF) that line
    /// wrapping and trailing newlines add, as the decoders those clients pair with
    /// ignore it. Endpoints decode and store what is left, so `/l/` and `/fetch`
    /// hand out strict base64 that every decoder takes, and `public_key_hash` does
    /// not depend on how a client wrapped its key. Anything else that is not base64
    /// stays in, for the strict decoder to refuse.
    func requireBase64(_ key: String) throws(APIError) -> String {
        Self.removingBase64Whitespace(try requireString(key))
    }

    /// ``requireBase64(_:)`` for an optional field: nil when absent or null.
    func optionalBase64(_ key: String) throws(APIError) -> String? {
        try optionalString(key).map(Self.removingBase64Whitespace)
    }

    static func removingBase64Whitespace(_ text: String) -> String {
        func isWhitespace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
        // Most clients send none: a 16 KiB ciphertext is then scanned once, not copied.
        let bytes = text.utf8
        let wrapped = bytes.withContiguousStorageIfAvailable { $0.contains(where: isWhitespace) }
            ?? bytes.contains(where: isWhitespace)
        guard wrapped else { return text }
        // Only ASCII bytes are removed, so what is left is still valid UTF-8.
        return String(decoding: bytes.filter { !isWhitespace($0) }, as: UTF8.self)
    }

    /// A JSON integer (see ``JSONValue/integer``), or a string of one to 19 ASCII
    /// digits after an optional `-`, as Python clients send ids (`"since_id": "1"`).
    /// No exponent, fraction, `+` or spaces in a string: those are no client's
    /// way of writing an id. Nil when the value does not fit an Int64.
    static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .number:
            return value.integer
        case .string(let text):
            let bytes = Array(text.utf8)
            let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
            guard (1...19).contains(digits.count),
                  digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            // Overflow-checked: 19 digits can exceed Int64.max.
            return JSONValue.wholeNumber(bytes)
        default:
            return nil
        }
    }

    /// `true`/`false`, the numbers 1 and 0, or the strings `"true"`, `"false"`,
    /// `"1"`, `"0"` in any case, as the original server's clients send flags. (It
    /// read any value by Python truthiness, so there `"false"` meant true; here
    /// it means what its sender meant.)
    static func flag(_ value: JSONValue) -> Bool? {
        switch value {
        case .bool(let flag):
            return flag
        case .number:
            switch value.integer {
            case 1: return true
            case 0: return false
            default: return nil
            }
        case .string(let text):
            if text == "1" || equalsIgnoringASCIICase(text, "true") { return true }
            if text == "0" || equalsIgnoringASCIICase(text, "false") { return false }
            return nil
        default:
            return nil
        }
    }

    /// Whether `text` is `lowercase` with any ASCII letters in either case. ASCII
    /// only: Unicode case mapping would also take look-alikes (`"ſ"` uppercases to `"S"`).
    static func equalsIgnoringASCIICase(_ text: String, _ lowercase: String) -> Bool {
        text.utf8.elementsEqual(lowercase.utf8) { byte, wanted in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == wanted
        }
    }
}
