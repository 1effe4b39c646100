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
}
