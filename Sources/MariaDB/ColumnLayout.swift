import CMariaDB

/// How one result column is fetched: the buffer type asked of Connector/C, the
/// ``Value`` case it becomes, and where its buffer sits in the row's data block.
struct ColumnLayout {
    enum Kind {
        case signed, unsigned, double, dateTime, text, blob
    }

    let kind: Kind
    let bufferType: enum_field_types
    /// Byte offset of the buffer in the data block (a multiple of 8).
    let offset: Int
    /// Buffer size in bytes.
    let size: Int

    /// Character set number of `binary`: such string columns hold bytes, not text.
    private static let binaryCharset: UInt32 = 63
    /// Room for a TIME formatted as text (`-838:59:59.999999`): its `max_length` is the
    /// display width, which may omit the fraction.
    private static let formattedTimeSize = 32

    init(field: MYSQL_FIELD, offset: Int) {
        self.offset = offset
        switch field.type {
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_INT24, MYSQL_TYPE_LONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
            kind = field.flags & UInt32(UNSIGNED_FLAG) != 0 ? .unsigned : .signed
            bufferType = MYSQL_TYPE_LONGLONG
            size = 8
        case MYSQL_TYPE_FLOAT, MYSQL_TYPE_DOUBLE:
            kind = .double
            bufferType = MYSQL_TYPE_DOUBLE
            size = 8
        case MYSQL_TYPE_DATE, MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_NEWDATE:
            kind = .dateTime
            bufferType = MYSQL_TYPE_DATETIME
            size = MemoryLayout<MYSQL_TIME>.size
        case MYSQL_TYPE_TIME:
            // A TIME is a duration (up to 838 hours), not a point in time: text.
            kind = .text
            bufferType = MYSQL_TYPE_STRING
            size = max(Int(field.max_length), Self.formattedTimeSize)
        case MYSQL_TYPE_DECIMAL, MYSQL_TYPE_NEWDECIMAL:
            kind = .text
            bufferType = MYSQL_TYPE_STRING
            size = Int(field.max_length)
        default:
            // Strings, blobs, JSON, ENUM, SET, BIT, GEOMETRY, NULL: raw bytes.
            kind = field.charsetnr == Self.binaryCharset ? .blob : .text
            bufferType = MYSQL_TYPE_BLOB
            size = Int(field.max_length)
        }
    }

    /// The value of a fetched (non-NULL) text or blob column.
    func value(of bytes: UnsafeRawBufferPointer) -> Value {
        let buffer = bytes.assumingMemoryBound(to: UInt8.self)
        if kind == .blob { return .blob(Array(buffer)) }
        // Repairs invalid UTF-8 (never expected from utf8mb4 columns) with U+FFFD.
        return .text(String(decoding: buffer, as: UTF8.self))
    }
}
