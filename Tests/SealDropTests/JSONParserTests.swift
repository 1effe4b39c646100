import Testing
@testable import SealDrop

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesNestedValuesInOrder() throws {
        let value = try parse(#" {"b": [1, -2.5e3, true, null], "a": "x\u00e9\n\ud83d\ude80"} "#)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["b", "a"])
        #expect(value["a"] == .string("xé\n🚀"))
        #expect(value["b"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .null]))
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,]", "01", "1.", "\"\u{1}\"", "{\"a\":1} x", "tru", "\"\\ud800\"",
                      "\"\\x\"", "{'a':1}", "NaN"])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func boundsNesting() throws {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONParser.Failure.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        _ = try parse(fine)
    }

    @Test func serializesCompactlyAndRoundTrips() throws {
        let text = #"{"nick":"B\"ob","n":[1,2.50],"o":{}}"#
        let value = try parse(text)
        #expect(value.serialized == text)
        #expect(try parse(value.serialized) == value)
    }

    @Test func integersAreWholeNumbersHoweverWritten() throws {
        #expect(try parse("42").integer == 42)
        #expect(try parse("2013.0").integer == 2013)
        #expect(try parse("2.013e3").integer == 2013)
        #expect(try parse("-1E2").integer == -100)
        #expect(try parse("4.2").integer == nil)
        #expect(try parse("1e-3").integer == nil)
        #expect(try parse("1e40").integer == nil)
        #expect(try parse("99999999999999999999").integer == nil)
    }

    /// Issue 11: `abs(Int.min)` on the exponent of `1e-9223372036854775808` trapped
    /// and took the whole responder down. Every one of these must answer, not trap.
    @Test(arguments: [
        ("1e-9223372036854775808", nil), ("-1e9223372036854775807", nil), ("1e9223372036854775808", nil),
        ("1e-99999999999999999999999", nil), ("0e-9223372036854775808", 0), ("-0", 0), ("-0.0e-5", 0),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
        ("9223372036854775808", nil), ("-9223372036854775809", nil), ("1e309", nil), ("1E+400", nil),
        ("0.5", nil), ("5e-1", nil), ("50e-1", 5), ("9.223372036854775807e18", Int64.max),
        ("-9.223372036854775808E+18", Int64.min), ("922337203685477580.8e1", nil),
        ("100000000000000000000e-2", 1_000_000_000_000_000_000), ("1000000000000000000000e-2", nil),
        (String(repeating: "9", count: 5000), nil), ("1." + String(repeating: "0", count: 5000), 1),
        ("1" + String(repeating: "0", count: 4000) + "e-4000", 1),
    ] as [(String, Int64?)])
    func hostileNumbersNeverTrap(text: String, expected: Int64?) throws {
        #expect(try parse(text).integer == expected)
    }

    @Test func malformedNumberTextIsNotAnInteger() {
        for text in ["", "-", "1.", ".5", "1e", "1e+", "+1", "1 ", "0x10", "1e5.0"] {
            #expect(JSONValue.number(text).integer == nil, "\(text)")
        }
    }
}
