/// A column read by ``Row/decode(_:as:)`` was not in the result, or did not hold
/// the type asked for: the schema or the query drifted from the code reading it.
///
/// Like ``MariaDBError``, its description never shows the value itself (it may be
/// a token or a ciphertext), only what kind of value was found.
public struct RowDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// The result has no column of that name; `columns` are the ones it has.
        case missingColumn(columns: [String])
        /// The column is NULL, and the type asked for is not optional.
        case null
        /// The column holds another kind of value (`integer`, `text`, …).
        case mismatch(found: String)
    }

    /// The column asked for.
    public let column: String
    /// The type asked for.
    public let type: String
    public let problem: Problem

    public var description: String {
        switch problem {
        case .missingColumn(let columns):
            "no column '\(column)' in the result (it has \(columns.joined(separator: ", ")))"
        case .null:
            "column '\(column)' is NULL where \(type) was expected"
        case .mismatch(let found):
            "column '\(column)' holds \(found) where \(type) was expected"
        }
    }
}

extension Value {
    /// What kind of value this is, for error messages that must not show the value.
    var kindName: String {
        switch self {
        case .null: "NULL"
        case .int, .uint: "an integer"
        case .double: "a floating-point number"
        case .text: "text"
        case .blob: "bytes"
        case .dateTime: "a date and time"
        }
    }
}
