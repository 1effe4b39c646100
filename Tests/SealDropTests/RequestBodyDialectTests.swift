import Testing
@testable import SealDrop

/// Issue 12: the spellings of clients of the original server that a request body
/// takes, and the exact limits of each, so nothing stricter than needed is loosened
/// and no hostile string reaches a trap.
@Suite struct RequestBodyDialectTests {
    private func body(_ json: String) throws -> RequestBody { try RequestBody(Array(json.utf8)) }

    @Test(arguments: [
        ("2", 2), ("-1", -1), ("0007", 7), ("-0", 0), ("0", 0),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
        ("0000000000000000001", 1), ("-0000000000000000001", -1),
    ] as [(String, Int64)])
    func integerStrings(text: String, expected: Int64) {
        #expect(RequestBody.integer(.string(text)) == expected)
    }

    @Test func stringsThatAreNotIntegers() {
        let refused = [
            "", "-", "--1", "+1", " 1", "1 ", "1\n", "1e3", "1E3", "1.0", "1.", ".5", "0x10", "1_000", "1,000",
            "9223372036854775808", "-9223372036854775809", "9999999999999999999", "-9999999999999999999",
            "00000000000000000001", String(repeating: "9", count: 5000), "\u{661}", "\u{FF11}", "1\u{0}",
            "true", "null", "[1]",
        ]
        for text in refused { #expect(RequestBody.integer(.string(text)) == nil, "\(text.debugDescription)") }
        for value: JSONValue in [.bool(true), .null, .array([.number("1")]), .object([("id", .number("1"))])] {
            #expect(RequestBody.integer(value) == nil, "\(value)")
        }
    }

    @Test func jsonNumbersAreReadAsBefore() {
        #expect(RequestBody.integer(.number("2013.0")) == 2013)
        #expect(RequestBody.integer(.number("2.013e3")) == 2013)
        #expect(RequestBody.integer(.number("1e-9223372036854775808")) == nil)
    }

    @Test func integerFieldsTakeStringsWithinTheirRange() throws {
        let request = try body(#"{"since_id": "1", "before_id": "-1", "ids": ["1", 2, "3"], "bad": ["1", "x"]}"#)
        #expect(try request.optionalInteger("since_id", in: 0...Int64.max) == 1)
        #expect(throws: APIError.self) { try request.optionalInteger("before_id", in: 1...Int64.max) }
        #expect(try request.requireIntegerArray("ids", maxCount: 10) == [1, 2, 3])
        #expect(throws: APIError.self) { try request.requireIntegerArray("bad", maxCount: 10) }
    }

    @Test func flags() {
        let yes: [JSONValue] = [.bool(true), .number("1"), .number("1.0"), .string("true"), .string("TRUE"),
                                .string("True"), .string("1")]
        let no: [JSONValue] = [.bool(false), .number("0"), .number("-0"), .string("false"), .string("FALSE"),
                               .string("fAlSe"), .string("0")]
        let neither: [JSONValue] = [.number("2"), .number("-1"), .number("0.5"), .string("yes"), .string("no"),
                                    .string("t"), .string(""), .string(" true"), .string("true\n"), .string("2"),
                                    .string("01"), .string("on"), .null, .array([]), .object([])]
        for value in yes { #expect(RequestBody.flag(value) == true, "\(value)") }
        for value in no { #expect(RequestBody.flag(value) == false, "\(value)") }
        for value in neither { #expect(RequestBody.flag(value) == nil, "\(value)") }
    }

    @Test func base64WhitespaceIsRemovedAndNothingElse() throws {
        #expect(RequestBody.removingBase64Whitespace("QUJD\nREVG\n") == "QUJDREVG")
        #expect(RequestBody.removingBase64Whitespace(" QU\tJD\r\nRE VG ") == "QUJDREVG")
        #expect(RequestBody.removingBase64Whitespace("QUJDREVG") == "QUJDREVG")
        #expect(RequestBody.removingBase64Whitespace("\n\n") == "")
        // Other whitespace is not what wrapping adds; it stays, for the strict decoder to refuse.
        for kept in ["QUJD\u{B}", "QUJD\u{C}", "QUJD\u{A0}", "QUJD\u{2028}", "QU-_"] {
            #expect(RequestBody.removingBase64Whitespace(kept) == kept, "\(kept.debugDescription)")
        }
        let request = try body(#"{"key": "QUJD\nREVG\n", "none": null, "number": 5}"#)
        #expect(try request.requireBase64("key") == "QUJDREVG")
        #expect(try request.optionalBase64("none") == nil)
        #expect(throws: APIError.self) { try request.requireBase64("number") }
    }

    @Test func caseFoldingIsASCIIOnly() {
        #expect(RequestBody.equalsIgnoringASCIICase("ASC", "asc"))
        #expect(RequestBody.equalsIgnoringASCIICase("aSc", "asc"))
        #expect(!RequestBody.equalsIgnoringASCIICase("a\u{17F}c", "asc"))  // long s uppercases to S
        #expect(!RequestBody.equalsIgnoringASCIICase("asc ", "asc"))
        #expect(!RequestBody.equalsIgnoringASCIICase("as", "asc"))
    }
}
