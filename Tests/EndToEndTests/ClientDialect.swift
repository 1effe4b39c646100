import TestSupport

/// How the clients of the original server write a request body and its base64,
/// byte for byte, so the compatibility suite sends what they send.
enum ClientDialect: CaseIterable, CustomStringConvertible {
    /// Python `requests` with `json=`: `json.dumps` defaults, `", "` and `": "`
    /// between items, everything outside ASCII as `\uXXXX`.
    case python
    /// Dart's `jsonEncode` (the Flutter app): compact.
    case dart
    /// Android's `org.json` `JSONObject.toString()`: compact, and `/` written as `\/`.
    case android

    var description: String {
        switch self {
        case .python: return "Python requests"
        case .dart: return "Dart jsonEncode"
        case .android: return "Android org.json"
        }
    }

    /// The JSON text of an object with `fields` in the given order.
    func body(_ fields: KeyValuePairs<String, JSON>) -> String {
        object(fields.map { ($0.key, $0.value) })
    }

    private var itemSeparator: String { self == .python ? ", " : "," }
    private var keySeparator: String { self == .python ? ": " : ":" }

    private func object(_ fields: [(String, JSON)]) -> String {
        "{" + fields.map { string($0.0) + keySeparator + value($0.1) }.joined(separator: itemSeparator) + "}"
    }

    private func value(_ json: JSON) -> String {
        switch json {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return string(text)
        case .array(let items): return "[" + items.map(value).joined(separator: itemSeparator) + "]"
        case .object(let members): return object(members.sorted { $0.key < $1.key })
        }
    }

    private func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "/" where self == .android: out += "\\/"
            case _ where scalar.value < 0x20 || (self == .python && scalar.value > 0x7F):
                // Python escapes as UTF-16 code units; the tests' strings stay in the BMP.
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
