/// A type a column can be read as by name, with ``Row/decode(_:as:)``.
///
/// Each conversion is the one of the ``Value`` accessor of the same type, so a
/// column reads the same either way; what `decode` adds is that a missing column,
/// or a value that is not of the type, is an error instead of a nil read past.
public protocol ColumnDecodable {
    /// `value` as this type; nil when it is not one: another kind of value, out of
    /// range, or NULL (which only an `Optional` accepts).
    static func decode(_ value: Value) -> Self?
}

/// NULL becomes nil; any other value must be a `Wrapped`.
extension Optional: ColumnDecodable where Wrapped: ColumnDecodable {
    public static func decode(_ value: Value) -> Wrapped?? {
        value.isNull ? .some(nil) : Wrapped.decode(value).map { .some($0) }
    }
}

/// ``Value/int64``: an integer in range, or a whole DECIMAL (`SUM()`).
extension Int64: ColumnDecodable { public static func decode(_ value: Value) -> Int64? { value.int64 } }
/// ``Value/int64``, in range of `Int`.
extension Int: ColumnDecodable { public static func decode(_ value: Value) -> Int? { value.int64.flatMap { Int(exactly: $0) } } }
/// ``Value/string``: text only; a blob is not decoded implicitly.
extension String: ColumnDecodable { public static func decode(_ value: Value) -> String? { value.string } }
/// ``Value/bool``: an integer, as BOOLEAN columns hold it.
extension Bool: ColumnDecodable { public static func decode(_ value: Value) -> Bool? { value.bool } }
/// ``Value/dateTime``.
extension DateTime: ColumnDecodable { public static func decode(_ value: Value) -> DateTime? { value.dateTime } }
