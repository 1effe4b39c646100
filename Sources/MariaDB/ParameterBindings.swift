import CMariaDB

/// The `MYSQL_BIND` array of one statement's parameters, with storage for scalar
/// values, allocated once per statement at stable addresses.
///
/// Text and blob parameters are not copied: their `MYSQL_BIND` points into the
/// Swift value's own storage, which is valid only inside a `withUTF8` or
/// `withUnsafeBufferPointer` closure. So binding nests one closure per such
/// parameter and runs `mysql_stmt_bind_param` and the execution in the innermost
/// one (GRDB's `withBinding` idea); the pointers never outlive the call.
final class ParameterBindings {
    let count: Int
    private let binds: UnsafeMutablePointer<MYSQL_BIND>
    /// 8 bytes per parameter for integers and doubles.
    private let scalars: UnsafeMutablePointer<UInt64>
    private let times: UnsafeMutablePointer<MYSQL_TIME>

    init(count: Int) {
        self.count = count
        // At least one element, so there is always a valid address to point empty
        // strings at.
        let capacity = max(count, 1)
        binds = .allocate(capacity: capacity)
        binds.initialize(repeating: MYSQL_BIND(), count: capacity)
        scalars = .allocate(capacity: capacity)
        scalars.initialize(repeating: 0, count: capacity)
        times = .allocate(capacity: capacity)
        times.initialize(repeating: MYSQL_TIME(), count: capacity)
    }

    deinit {
        binds.deallocate()
        scalars.deallocate()
        times.deallocate()
    }

    /// Binds `values` to `stmt` (`mysql_stmt_bind_param`) and runs `body` while the
    /// bound buffers are valid. `values.count` must equal ``count``.
    func withBinding<R>(_ values: [Value], to stmt: UnsafeMutablePointer<MYSQL_STMT>, _ body: () throws -> R) throws -> R {
        try bind(values, from: 0, to: stmt, body)
    }

    private func bind<R>(
        _ values: [Value],
        from index: Int,
        to stmt: UnsafeMutablePointer<MYSQL_STMT>,
        _ body: () throws -> R
    ) throws -> R {
        guard index < count else {
            if count > 0, mysql_stmt_bind_param(stmt, binds) != 0 {
                throw MariaDBError(statement: stmt)
            }
            return try body()
        }
        let bind = binds + index
        bind.pointee = MYSQL_BIND()
        switch values[index] {
        case .null:
            bind.pointee.buffer_type = MYSQL_TYPE_NULL
        case .int(let value):
            scalars[index] = UInt64(bitPattern: value)
            setScalar(bind, index: index, type: MYSQL_TYPE_LONGLONG, unsigned: false)
        case .uint(let value):
            scalars[index] = value
            setScalar(bind, index: index, type: MYSQL_TYPE_LONGLONG, unsigned: true)
        case .double(let value):
            scalars[index] = value.bitPattern
            setScalar(bind, index: index, type: MYSQL_TYPE_DOUBLE, unsigned: false)
        case .dateTime(let value):
            times[index] = MYSQL_TIME(value)
            bind.pointee.buffer_type = MYSQL_TYPE_DATETIME
            bind.pointee.buffer = UnsafeMutableRawPointer(times + index)
        case .text(var text):
            // A native string is contiguous UTF-8, so withUTF8 does not copy it.
            return try text.withUTF8 { utf8 in
                setBytes(bind, index: index, type: MYSQL_TYPE_STRING, UnsafeRawBufferPointer(utf8))
                return try self.bind(values, from: index + 1, to: stmt, body)
            }
        case .blob(let bytes):
            return try bytes.withUnsafeBufferPointer { buffer in
                setBytes(bind, index: index, type: MYSQL_TYPE_BLOB, UnsafeRawBufferPointer(buffer))
                return try self.bind(values, from: index + 1, to: stmt, body)
            }
        }
        return try self.bind(values, from: index + 1, to: stmt, body)
    }

    private func setScalar(_ bind: UnsafeMutablePointer<MYSQL_BIND>, index: Int, type: enum_field_types, unsigned: Bool) {
        bind.pointee.buffer_type = type
        bind.pointee.buffer = UnsafeMutableRawPointer(scalars + index)
        bind.pointee.is_unsigned = unsigned ? 1 : 0
    }

    private func setBytes(
        _ bind: UnsafeMutablePointer<MYSQL_BIND>,
        index: Int,
        type: enum_field_types,
        _ bytes: UnsafeRawBufferPointer
    ) {
        bind.pointee.buffer_type = type
        // Connector/C copies `buffer_length` bytes from `buffer`; an empty value
        // still gets a valid address.
        bind.pointee.buffer = UnsafeMutableRawPointer(mutating: bytes.baseAddress) ?? UnsafeMutableRawPointer(scalars + index)
        bind.pointee.buffer_length = UInt(bytes.count)
    }
}

extension MYSQL_TIME {
    init(_ value: DateTime) {
        self.init()
        year = UInt32(clamping: value.year)
        month = UInt32(value.month)
        day = UInt32(value.day)
        hour = UInt32(value.hour)
        minute = UInt32(value.minute)
        second = UInt32(value.second)
        second_part = UInt(value.microsecond)
        time_type = MYSQL_TIMESTAMP_DATETIME
    }
}
