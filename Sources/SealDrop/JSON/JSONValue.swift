/// A parsed JSON value. Objects keep their members in order, as sent.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text as sent, so nothing is lost to rounding when it is stored again.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a.elementsEqual(b) { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member named `key` of an object (the last one, if repeated, as Python's json does).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }

    /// The value as a whole number in Int64's range, however written: `2013`,
    /// `2013.0` (what Dart's and JavaScript's doubles send), `2.013e3`. JSON Schema
    /// counts these as integers too, so openapi.yaml's `integer` means the same.
    /// Every step saturates or reports overflow: the text comes from a client, and
    /// a trap here would end the process with every request in flight.
    public var integer: Int64? {
        guard case .number(let text) = self else { return nil }
        return Self.wholeNumber(Array(text.utf8))
    }

    /// `-?digits[.digits][(e|E)[+-]digits]` as an Int64, or nil when it is not
    /// whole, out of range or not of that shape.
    static func wholeNumber(_ bytes: [UInt8]) -> Int64? {
        var index = 0
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func digitRun() -> ArraySlice<UInt8> {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return bytes[start..<index]
        }
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let integral = digitRun()
        guard !integral.isEmpty else { return nil }
        var fraction: ArraySlice<UInt8> = []
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fraction = digitRun()
            guard !fraction.isEmpty else { return nil }
        }
        // The exponent saturates far beyond anything that can still give an Int64
        // (at most a few thousand digits fit in a request body).
        let exponentLimit = 1_000_000
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let run = digitRun()
            guard !run.isEmpty else { return nil }
            for digit in run { exponent = min(exponentLimit, exponent * 10 + Int(digit - UInt8(ascii: "0"))) }
            if exponentNegative { exponent = -exponent }
        }
        guard index == bytes.count else { return nil }

        // value = significand × 10^exponent, with the significand's digits stripped
        // of leading zeros and, while that keeps it whole, of trailing ones.
        var digits = Array(integral) + Array(fraction)
        exponent -= fraction.count
        guard let first = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }) else { return 0 }
        digits.removeFirst(first)
        while exponent < 0, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            exponent += 1
        }
        guard exponent >= 0, digits.count + exponent <= 19 else { return nil }
        // Accumulated on the value's own side of zero, so Int64.min is reachable.
        var value: Int64 = 0
        for digit in digits + [UInt8](repeating: UInt8(ascii: "0"), count: exponent) {
            let step = Int64(digit - UInt8(ascii: "0"))
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) = negative ? shifted.subtractingReportingOverflow(step)
                                               : shifted.addingReportingOverflow(step)
            guard !overflowShift, !overflowAdd else { return nil }
            value = next
        }
        return value
    }

    /// Compact JSON text of the value.
    public var serialized: String {
        var writer = JSONWriter()
        write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .number(let text): writer.raw(text)
        case .string(let value): writer.string(value)
        case .array(let values):
            writer.beginArray()
            for value in values { value.write(to: &writer) }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            for (key, value) in members {
                writer.key(key)
                value.write(to: &writer)
            }
            writer.endObject()
        }
    }

    /// The JSON type's name, for error sentences.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
