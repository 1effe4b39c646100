import Glibc

/// A moment in UTC, as the database keeps it.
public struct Timestamp: Sendable, Equatable {
    public let year, month, day, hour, minute, second: Int

    /// ISO 8601 with an explicit UTC offset. `+00:00` rather than `Z` because
    /// Python's `datetime.fromisoformat` before 3.11 — what the original
    /// server's clients use — rejects `Z`.
    public var iso8601: String {
        guard (0...9999).contains(year) else { return slowISO8601 }
        // Written byte by byte: this runs for every /health answer and log line.
        return String(unsafeUninitializedCapacity: 25) { out in
            func put(_ value: Int, width: Int, at offset: Int) {
                var rest = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    out[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                    rest /= 10
                }
            }
            put(year, width: 4, at: 0); out[4] = 0x2D
            put(month, width: 2, at: 5); out[7] = 0x2D
            put(day, width: 2, at: 8); out[10] = 0x54
            put(hour, width: 2, at: 11); out[13] = 0x3A
            put(minute, width: 2, at: 14); out[16] = 0x3A
            put(second, width: 2, at: 17)
            for (index, byte) in "+00:00".utf8.enumerated() { out[19 + index] = byte }
            return 25
        }
    }

    private var slowISO8601: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))+00:00"
    }

    /// Seconds since 1970 from the system clock.
    public static func secondsSince1970() -> Int { time(nil) }

    /// The current time, from the system clock.
    public static func now() -> Timestamp {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return Timestamp(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                         hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }
}
