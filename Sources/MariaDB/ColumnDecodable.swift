/// A type a column can be read as by name, with ``Row/decode(_:as:)``.
///
/// Each conversion is the one of the ``Value`` accessor of the same type, so a
/// column reads the same either way; what `decode` adds is that a missing column,
/// or a value that is not of the type, is an error instead of a nil read past.
public protocol ColumnDecodable {
    /// `value` as this type; nil when it is not one: another kind of value, out of
    /// range, or NULL (which only an `Optional` accepts).
    init?(columnValue value: Value)
}

/// NULL becomes nil; any other value must be a `Wrapped`.
extension Optional: ColumnDecodable where Wrapped: ColumnDecodable {
    public init?(columnValue value: Value) {
        if value.isNull {
            self = .none
        } else if let wrapped = Wrapped(columnValue: value) {
            self = .some(wrapped)
        } else {
            return nil
        }
    }
}

extension Int64: ColumnDecodable {
    /// ``Value/int64``: an integer in range, or a whole DECIMAL (`SUM()`).
    public init?(columnValue value: Value) {
        guard let int = value.int64 else { return nil }
        self = int
    }
}

extension Int: ColumnDecodable {
    /// ``Value/int64``, in range of `Int`.
    public init?(columnValue value: Value) {
        guard let int = value.int64.flatMap({ Int(exactly: $0) }) else { return nil }
        self = int
    }
}

extension UInt64: ColumnDecodable {
    /// ``Value/uint64``.
    public init?(columnValue value: Value) {
        guard let int = value.uint64 else { return nil }
        self = int
    }
}

extension Double: ColumnDecodable {
    /// ``Value/double``.
    public init?(columnValue value: Value) {
        guard let double = value.double else { return nil }
        self = double
    }
}

extension Bool: ColumnDecodable {
    /// ``Value/bool``: an integer, as BOOLEAN columns hold it.
    public init?(columnValue value: Value) {
        guard let bool = value.bool else { return nil }
        self = bool
    }
}

extension String: ColumnDecodable {
    /// ``Value/string``: text only; a blob is not decoded implicitly.
    public init?(columnValue value: Value) {
        guard let text = value.string else { return nil }
        self = text
    }
}

extension DateTime: ColumnDecodable {
    /// ``Value/dateTime``.
    public init?(columnValue value: Value) {
        guard let dateTime = value.dateTime else { return nil }
        self = dateTime
    }
}

extension Value: ColumnDecodable {
    /// Any value as it is, NULL included.
    public init?(columnValue value: Value) {
        self = value
    }
}
