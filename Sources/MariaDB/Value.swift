/// A value bound to a statement parameter or read from a result column.
///
/// Reading maps column types as follows:
/// - integer types (TINYINT … BIGINT, YEAR, BOOLEAN): ``int(_:)``; a BIGINT UNSIGNED
///   above `Int64.max` is ``uint(_:)``.
/// - FLOAT, DOUBLE: ``double(_:)``; DECIMAL is exact, so it comes as ``text(_:)``
///   (``int64`` and ``double`` convert it).
/// - CHAR, VARCHAR, TEXT, JSON, ENUM, SET, TIME: ``text(_:)``, always valid UTF-8
///   (invalid bytes would become U+FFFD).
/// - BINARY, VARBINARY, BLOB, BIT (binary character set): ``blob(_:)``.
/// - DATE, DATETIME, TIMESTAMP: ``dateTime(_:)`` (UTC, see ``DateTime``).
/// - SQL NULL: ``null``.
public enum Value: Sendable, Equatable {
    case null
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case text(String)
    case blob([UInt8])
    case dateTime(DateTime)
}

extension Value {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as a signed integer: ``int(_:)``, ``uint(_:)`` in range, or ``text(_:)``
    /// holding a whole number (e.g. a DECIMAL or `SUM()` result). Otherwise nil.
    public var int64: Int64? {
        switch self {
        case .int(let value): return value
        case .uint(let value): return Int64(exactly: value)
        case .text(let text): return Int64(text) ?? Self.wholeDecimal(text)
        default: return nil
        }
    }

    /// The value as an unsigned integer: non-negative ``int(_:)``, ``uint(_:)``, or a
    /// whole number in ``text(_:)``. Otherwise nil.
    public var uint64: UInt64? {
        switch self {
        case .int(let value): return UInt64(exactly: value)
        case .uint(let value): return value
        case .text(let text): return UInt64(text) ?? Self.wholeDecimal(text).flatMap { UInt64(exactly: $0) }
        default: return nil
        }
    }

    /// The value as a floating-point number: ``double(_:)``, an integer, or a number in
    /// ``text(_:)`` (DECIMAL). Otherwise nil.
    public var double: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .text(let text): return Double(text)
        default: return nil
        }
    }

    /// The text of a ``text(_:)`` value; nil for every other case (a blob is not
    /// decoded implicitly).
    public var string: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// The bytes of a ``blob(_:)``, or the UTF-8 bytes of a ``text(_:)``; otherwise nil.
    public var bytes: [UInt8]? {
        switch self {
        case .blob(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// An integer as a boolean (0 is false, anything else true), as BOOLEAN columns
    /// hold it; nil for other cases.
    public var bool: Bool? {
        switch self {
        case .int(let value): return value != 0
        case .uint(let value): return value != 0
        default: return int64.map { $0 != 0 }
        }
    }

    /// The date and time of a ``dateTime(_:)``; otherwise nil.
    public var dateTime: DateTime? {
        if case .dateTime(let value) = self { return value }
        return nil
    }

    /// `"12.000"` → 12: DECIMAL columns carry trailing zero decimals.
    private static func wholeDecimal(_ text: String) -> Int64? {
        guard let dot = text.firstIndex(of: "."),
            text[text.index(after: dot)...].allSatisfy({ $0 == "0" })
        else { return nil }
        return Int64(text[..<dot])
    }
}

// MARK: - Building values

extension Value {
    /// ``text(_:)``, or ``null`` for nil.
    public init(_ value: String?) { self = value.map(Value.text) ?? .null }
    /// ``blob(_:)``, or ``null`` for nil.
    public init(_ value: [UInt8]?) { self = value.map(Value.blob) ?? .null }
    /// ``int(_:)``, or ``null`` for nil.
    public init(_ value: Int64?) { self = value.map(Value.int) ?? .null }
    /// ``int(_:)``, or ``null`` for nil.
    public init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
    /// ``dateTime(_:)``, or ``null`` for nil.
    public init(_ value: DateTime?) { self = value.map(Value.dateTime) ?? .null }
    /// `.int(1)` or `.int(0)`, as BOOLEAN columns store it.
    public init(_ value: Bool) { self = .int(value ? 1 : 0) }
}

extension Value: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self.init(value) }
}
