#if canImport(Glibc)
import Glibc
#endif

/// A moment in UTC, as the database keeps it.
public struct Timestamp: Sendable, Equatable {
    public let year, month, day, hour, minute, second: Int

    /// ISO 8601 with an explicit UTC offset. `+00:00` rather than `Z` because
    /// Python's `datetime.fromisoformat` before 3.11 — what the original
    /// server's clients use — rejects `Z`.
    public var iso8601: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        let y = String(year)
        let paddedYear = String(repeating: "0", count: max(0, 4 - y.count)) + y
        return "\(paddedYear)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))+00:00"
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
