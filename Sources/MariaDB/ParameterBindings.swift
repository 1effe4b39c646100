import CMariaDB

/// The `MYSQL_BIND` array of one statement's parameters, with storage for scalar
/// values, allocated once per statement at stable addresses.
///
/// Text and blob parameters are copied into one buffer per execution, freed when
/// it returns. Binding them in place (inside a `withUTF8` closure per parameter,
/// nested) cost no copy but a stack frame per parameter, and a statement with
/// thousands of them — a fold of rate counters — overflowed a worker's stack.
final class ParameterBindings {
    let count: Int
    private let binds: UnsafeMutablePointer<MYSQL_BIND>
    /// 8 bytes per parameter for integers and doubles.
    private let scalars: UnsafeMutablePointer<UInt64>

    init(count: Int) {
        self.count = count
        // At least one element, so there is always a valid address to point empty
        // strings at.
        let capacity = max(count, 1)
        binds = .allocate(capacity: capacity)
        binds.initialize(repeating: MYSQL_BIND(), count: capacity)
        scalars = .allocate(capacity: capacity)
        scalars.initialize(repeating: 0, count: capacity)
    }

    deinit {
        binds.deallocate()
        scalars.deallocate()
    }

    /// Binds `values` to `stmt` (`mysql_stmt_bind_param`) and runs `body` while the
    /// bound buffers are valid. `values.count` must equal ``count``.
    func withBinding<R>(_ values: [Value], to stmt: UnsafeMutablePointer<MYSQL_STMT>, _ body: () throws -> R) throws -> R {
        var byteCount = 0
        var timeCount = 0
        for value in values.prefix(count) {
            switch value {
            case .text(let text): byteCount += text.utf8.count
            case .blob(let bytes): byteCount += bytes.count
            case .dateTime: timeCount += 1
            default: break
            }
        }
        // Per execution, like the bytes: few statements bind a time at all.
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(byteCount, 1), alignment: 1)
        let times = UnsafeMutablePointer<MYSQL_TIME>.allocate(capacity: max(timeCount, 1))
        defer {
            bytes.deallocate()
            times.deallocate()
        }
        var offset = 0
        var timeIndex = 0
        for index in 0..<count {
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
                (times + timeIndex).initialize(to: MYSQL_TIME(value))
                bind.pointee.buffer_type = MYSQL_TYPE_DATETIME
                bind.pointee.buffer = UnsafeMutableRawPointer(times + timeIndex)
                timeIndex += 1
            case .text(var text):
                let length = text.withUTF8 { utf8 in
                    UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<offset + utf8.count]).copyMemory(from: UnsafeRawBufferPointer(utf8))
                    return utf8.count
                }
                setBytes(bind, index: index, type: MYSQL_TYPE_STRING, UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]))
                offset += length
            case .blob(let blob):
                blob.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<offset + source.count]).copyMemory(from: source)
                }
                setBytes(bind, index: index, type: MYSQL_TYPE_BLOB, UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + blob.count]))
                offset += blob.count
            }
        }
        if count > 0, mysql_stmt_bind_param(stmt, binds) != 0 {
            throw MariaDBError(statement: stmt)
        }
        return try body()
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
