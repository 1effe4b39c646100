/// One row of a query result.
///
/// All rows of a result share one list of column names.
public struct Row: Sendable {
    let columns: ColumnNames
    /// The values, in column order.
    public let values: [Value]

    init(columns: ColumnNames, values: [Value]) {
        self.columns = columns
        self.values = values
    }

    /// Column names (aliases where the query gave them), in order.
    public var columnNames: [String] { columns.names }

    /// Number of columns.
    public var count: Int { values.count }

    /// The value at `index`; the index must be below ``count``, as for an Array.
    public subscript(_ index: Int) -> Value { values[index] }

    /// The value of the first column named `column` (an exact match first, then
    /// ignoring ASCII case, as MariaDB does); ``Value/null`` when there is no such column.
    /// Where a missing column or another type must not pass unnoticed, use ``decode(_:as:)``.
    public subscript(_ column: String) -> Value {
        columns.index(of: column).map { values[$0] } ?? .null
    }

    /// The value of column `column` (matched as ``subscript(_:)-(String)`` matches) as a `T`.
    /// Ask for an `Optional` where the column may be NULL.
    ///
    /// ```swift
    /// let id = try row.decode("id", as: Int64.self)
    /// let name = try row.decode("display_name", as: String?.self)
    /// ```
    ///
    /// - Throws: ``RowDecodingError`` when the result has no such column, or its value
    ///   is NULL or of another kind than `T` takes: never a default.
    public func decode<T: ColumnDecodable>(_ column: String, as type: T.Type = T.self) throws(RowDecodingError) -> T {
        guard let index = columns.index(of: column) else {
            throw RowDecodingError(column: column, type: "\(T.self)", problem: .missingColumn(columns: columns.names))
        }
        let value = values[index]
        guard let decoded = T.decode(value) else {
            throw RowDecodingError(column: column, type: "\(T.self)",
                                   problem: value.isNull ? .null : .mismatch(found: value.kindName))
        }
        return decoded
    }

    /// Whether the result has a column named `column` (see ``subscript(_:)-(String)``).
    public func hasColumn(_ column: String) -> Bool {
        columns.index(of: column) != nil
    }
}

/// The column names of one result, shared by its rows. Immutable, hence Sendable.
final class ColumnNames: Sendable {
    let names: [String]

    init(_ names: [String]) {
        self.names = names
    }

    func index(of name: String) -> Int? {
        if let exact = names.firstIndex(of: name) { return exact }
        return names.firstIndex { $0.utf8.count == name.utf8.count && Self.equalIgnoringASCIICase($0, name) }
    }

    private static func equalIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }
        return lhs.utf8.elementsEqual(rhs.utf8) { lower($0) == lower($1) }
    }
}
