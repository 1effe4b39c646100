import Foundation
import Sodium
import Testing
import TestSupport
@testable import SealDrop

/// The patterns openapi.yaml gives the fields issue 12 loosened accept exactly what
/// the server accepts, on boundary inputs: schemathesis sends what they allow and
/// expects it taken, and what they forbid and expects it refused.
@Suite struct OpenAPIDialectTests {
    let schemas: YAML

    init() throws {
        let spec = try YAMLSubset.parse(try String(contentsOfFile: OpenAPITests.specPath, encoding: .utf8))
        schemas = try #require(spec["components"]?["schemas"])
    }

    /// Whether `text` is a string the schema `name` allows (its pattern, as JSON
    /// Schema reads it: anywhere unless anchored, here anchored; and its maxLength).
    private func allows(_ name: String, _ text: String) throws -> Bool {
        let schema = try #require(schemas[name], "no schema \(name)")
        let pattern = try #require(schema["pattern"]?.string, "\(name) has no pattern")
        if case .int(let maxLength)? = schema["maxLength"], text.unicodeScalars.count > maxLength { return false }
        let regex = try NSRegularExpression(pattern: pattern)
        let whole = NSRange(text.startIndex..., in: text)
        // The whole string: ICU's `$` also matches before a final newline, JSON Schema's does not.
        return regex.firstMatch(in: text, range: whole)?.range == whole
    }

    /// Digit strings around every edge of the Int64 range, with and without sign
    /// and leading zeros, and the near misses of the format.
    private static let numberStrings: [String] = {
        var texts: Set<String> = ["", "-", "+1", " 1", "1 ", "1\n", "1e3", "1.0", "0x10", "\u{661}", "--1", "-0", "-00"]
        let edges = ["9223372036854775807", "9223372036854775808", "1000000000000000000", "999999999999999999",
                     "9999999999999999999", "1", "0"]
        for edge in edges {
            // Every digit of every position changed, so each alternative of the patterns is met at its bound.
            for position in edge.indices {
                for digit in "0123456789" {
                    var changed = edge
                    changed.replaceSubrange(position...position, with: String(digit))
                    texts.insert(changed)
                }
            }
        }
        for text in Array(texts) where text.allSatisfy(\.isNumber) && !text.isEmpty {
            texts.insert("0" + text)
            texts.insert("-" + text)
            texts.insert("-0" + text)
        }
        for length in 1...21 {
            texts.insert(String(repeating: "0", count: length))
            texts.insert("-" + String(repeating: "0", count: length))
            texts.insert(String(repeating: "0", count: length - 1) + "1")
        }
        return texts.sorted()
    }()

    @Test(arguments: [("ID", 1...Int64.max), ("SinceID", 0...Int64.max), ("PageSize", Int64.min...Int64.max)])
    func integerStringPatternsMatchTheServer(schema: String, range: ClosedRange<Int64>) throws {
        for text in Self.numberStrings {
            let served = RequestBody.integer(.string(text)).map(range.contains) ?? false
            #expect(try allows(schema, text) == served, "\(schema) \(text.debugDescription): server \(served)")
        }
    }

    @Test func flagPatternMatchesTheServer() throws {
        for text in ["true", "TRUE", "tRuE", "false", "FALSE", "1", "0", "", "yes", "t", "01", "true ", " 1", "2", "-0"] {
            let served = RequestBody.flag(.string(text)) != nil
            #expect(try allows("Flag", text) == served, "Flag \(text.debugDescription): server \(served)")
        }
    }

    /// Spellings of base64 of `count` random bytes: as encoded, wrapped as clients
    /// wrap it, and broken in the ways the strict decoder refuses.
    private func base64Spellings(_ count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Base64.encode(bytes)
        let android = WrappedBase64.android(bytes)
        var spellings: [String] = [text, android, WrappedBase64.mime(bytes), " \t\(text)\r\n", android + "="]
        spellings += [String(text.dropLast()), text + "=", text + "\u{B}", text.replacingOccurrences(of: "=", with: "\n=")]
        spellings += [String(text.prefix(4)) + "=" + String(text.dropFirst(4)), "-" + String(text.dropFirst())]
        // A padded last character with a low bit set: the bits padding leaves over must be zero.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let data = text.prefix { $0 != "=" }
        if data.count < text.count, let last = data.last, let value = alphabet.firstIndex(of: last) {
            spellings.append(String(data.dropLast()) + String(alphabet[value | 1]) + "\n" + text.dropFirst(data.count))
        }
        return spellings
    }

    @Test func base64PatternsMatchTheServer() throws {
        let rules: [(schema: String, sizes: [Int], accepts: (Int) -> Bool)] = [
            ("Ed25519Key", [0, 31, 32, 33], { $0 == 32 }),
            ("X25519Key", [31, 32, 33], { $0 == 32 }),
            ("Ciphertext", [0, 47, 48, 49, 50, 100, 16383, 16384, 16385], { (48...16384).contains($0) }),
        ]
        for (schema, sizes, accepts) in rules {
            for size in sizes {
                for text in base64Spellings(size) {
                    let served = Base64.decodedByteCount(RequestBody.removingBase64Whitespace(text)).map(accepts) ?? false
                    #expect(try allows(schema, text) == served, "\(schema), \(size) bytes, \(text.prefix(12).debugDescription)…: server \(served)")
                }
            }
        }
    }
}
