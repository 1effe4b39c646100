import CMariaDB

/// The result `MYSQL_BIND` array of one statement and the buffers it points into,
/// kept across executions so that the hot path allocates nothing but the values
/// it returns.
///
/// Buffers are sized per execution from each column's `max_length`, which
/// Connector/C computes over the stored result (`STMT_ATTR_UPDATE_MAX_LENGTH` +
/// `mysql_stmt_store_result`), so even multi-megabyte values fit without truncation.
/// Should a value still not fit, it is read whole with `mysql_stmt_fetch_column`.
final class ResultBindings {
    /// Columns the per-column arrays have room for.
    private var capacity = 0
    private var binds: UnsafeMutablePointer<MYSQL_BIND>?
    private var lengths: UnsafeMutablePointer<UInt>?
    private var nulls: UnsafeMutablePointer<my_bool>?
    private var errors: UnsafeMutablePointer<my_bool>?
    /// One block holding every column's value buffer.
    private var data: UnsafeMutableRawPointer?
    private var dataCapacity = 0
    private var layout: [ColumnLayout] = []
    private var columns = ColumnNames([])

    /// A data block larger than this is released after the result is read, so one
    /// large value does not stay allocated for the statement's lifetime.
    private static let retainedDataLimit = 256 * 1024

    deinit {
        releaseColumnArrays()
        data?.deallocate()
    }

    /// Reads the whole stored result of `stmt`'s current execution into rows.
    /// `mysql_stmt_store_result` must have succeeded.
    func readRows(from stmt: UnsafeMutablePointer<MYSQL_STMT>) throws -> [Row] {
        let count = Int(mysql_stmt_field_count(stmt))
        guard count > 0 else { return [] }
        defer { releaseLargeData() }
        try bindColumns(of: stmt, count: count)
        var rows: [Row] = []
        rows.reserveCapacity(Int(clamping: mysql_stmt_num_rows(stmt)))
        while true {
            switch mysql_stmt_fetch(stmt) {
            case 0, MYSQL_DATA_TRUNCATED:
                rows.append(Row(columns: columns, values: try decodeRow(of: stmt, count: count)))
            case MYSQL_NO_DATA:
                return rows
            default:
                throw MariaDBError(statement: stmt)
            }
        }
    }

    // MARK: - Binding

    private func bindColumns(of stmt: UnsafeMutablePointer<MYSQL_STMT>, count: Int) throws {
        guard let metadata = mysql_stmt_result_metadata(stmt) else { throw MariaDBError(statement: stmt) }
        defer { mysql_free_result(metadata) }
        reserveColumns(count)
        guard let binds, let lengths, let nulls, let errors else { throw MariaDBError.allocationFailed }

        layout.removeAll(keepingCapacity: true)
        var fields: [UnsafeMutablePointer<MYSQL_FIELD>] = []
        fields.reserveCapacity(count)
        var total = 0
        for index in 0..<count {
            guard let field = mysql_fetch_field_direct(metadata, UInt32(index)) else {
                throw MariaDBError(statement: stmt)
            }
            fields.append(field)
            let column = ColumnLayout(field: field.pointee, offset: total)
            layout.append(column)
            total = column.offset + (column.size + 7) & ~7
        }
        let block = try reserveData(total)
        for (index, column) in layout.enumerated() {
            binds[index] = MYSQL_BIND()
            binds[index].buffer_type = column.bufferType
            binds[index].buffer = block + column.offset
            binds[index].buffer_length = UInt(column.size)
            binds[index].is_unsigned = column.kind == .unsigned ? 1 : 0
            binds[index].length = lengths + index
            binds[index].is_null = nulls + index
            binds[index].error = errors + index
        }
        if mysql_stmt_bind_result(stmt, binds) != 0 { throw MariaDBError(statement: stmt) }
        updateColumnNames(fields)
    }

    /// Keeps the previous execution's names when they are unchanged (the usual case),
    /// so rows of a cached statement share one names object without new strings.
    private func updateColumnNames(_ fields: [UnsafeMutablePointer<MYSQL_FIELD>]) {
        let unchanged =
            columns.names.count == fields.count
            && zip(columns.names, fields).allSatisfy { name, field in
                name.utf8.elementsEqual(Self.bytes(field.pointee.name, Int(field.pointee.name_length)))
            }
        if unchanged { return }
        columns = ColumnNames(
            fields.map { String(decoding: Self.bytes($0.pointee.name, Int($0.pointee.name_length)), as: UTF8.self) }
        )
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> UnsafeBufferPointer<UInt8> {
        guard let pointer else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: count)
    }

    // MARK: - Decoding

    private func decodeRow(of stmt: UnsafeMutablePointer<MYSQL_STMT>, count: Int) throws -> [Value] {
        guard let lengths, let nulls, let data else { throw MariaDBError.allocationFailed }
        var values: [Value] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            if nulls[index] != 0 {
                values.append(.null)
                continue
            }
            let column = layout[index]
            let buffer = data + column.offset
            switch column.kind {
            case .signed:
                values.append(.int(buffer.load(as: Int64.self)))
            case .unsigned:
                let value = buffer.load(as: UInt64.self)
                values.append(value <= UInt64(Int64.max) ? .int(Int64(value)) : .uint(value))
            case .double:
                values.append(.double(buffer.load(as: Double.self)))
            case .dateTime:
                values.append(.dateTime(DateTime(buffer.load(as: MYSQL_TIME.self))))
            case .text, .blob:
                let length = Int(lengths[index])
                if length <= column.size {
                    values.append(column.value(of: UnsafeRawBufferPointer(start: buffer, count: length)))
                } else {
                    values.append(try fetchWhole(column, index: index, length: length, from: stmt))
                }
            }
        }
        return values
    }

    /// Reads a value longer than its buffer in one piece (`mysql_stmt_fetch_column`).
    private func fetchWhole(
        _ column: ColumnLayout,
        index: Int,
        length: Int,
        from stmt: UnsafeMutablePointer<MYSQL_STMT>
    ) throws -> Value {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 1)
        defer { buffer.deallocate() }
        var fetchedLength: UInt = 0
        let status = withUnsafeMutablePointer(to: &fetchedLength) { lengthPointer in
            var bind = MYSQL_BIND()
            bind.buffer_type = column.bufferType
            bind.buffer = buffer
            bind.buffer_length = UInt(length)
            bind.length = lengthPointer
            return mysql_stmt_fetch_column(stmt, &bind, UInt32(index), 0)
        }
        if status != 0 { throw MariaDBError(statement: stmt) }
        return column.value(of: UnsafeRawBufferPointer(start: buffer, count: min(length, Int(fetchedLength))))
    }

    // MARK: - Storage

    private func reserveColumns(_ count: Int) {
        guard count > capacity else { return }
        releaseColumnArrays()
        binds = .allocate(capacity: count)
        lengths = .allocate(capacity: count)
        nulls = .allocate(capacity: count)
        errors = .allocate(capacity: count)
        binds?.initialize(repeating: MYSQL_BIND(), count: count)
        lengths?.initialize(repeating: 0, count: count)
        nulls?.initialize(repeating: 0, count: count)
        errors?.initialize(repeating: 0, count: count)
        capacity = count
    }

    private func releaseColumnArrays() {
        binds?.deallocate()
        lengths?.deallocate()
        nulls?.deallocate()
        errors?.deallocate()
        binds = nil
        lengths = nil
        nulls = nil
        errors = nil
        capacity = 0
    }

    private func reserveData(_ byteCount: Int) throws -> UnsafeMutableRawPointer {
        if let data, byteCount <= dataCapacity { return data }
        data?.deallocate()
        data = nil
        dataCapacity = 0
        // Round small blocks up so that slightly longer values reuse the block.
        let size = max(byteCount, 512)
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        data = block
        dataCapacity = size
        return block
    }

    private func releaseLargeData() {
        guard dataCapacity > Self.retainedDataLimit else { return }
        data?.deallocate()
        data = nil
        dataCapacity = 0
    }
}

extension MariaDBError {
    static let allocationFailed = MariaDBError(
        code: .outOfMemory,
        message: "result buffers are not allocated"
    )
}

extension DateTime {
    init(_ time: MYSQL_TIME) {
        self.init(
            year: Int(time.year),
            month: Int(time.month),
            day: Int(time.day),
            hour: Int(time.hour),
            minute: Int(time.minute),
            second: Int(time.second),
            microsecond: Int(time.second_part)
        )
    }
}
