/// A calendar date and time without a time zone, as MariaDB's DATE, DATETIME and
/// TIMESTAMP hold it.
///
/// Every ``Connection`` sets its session `time_zone` to `+00:00`, so TIMESTAMP values
/// read and written through this module are UTC, and ``secondsSince1970`` is the Unix
/// time. Fields are stored compactly (16 bytes) because result rows hold many of them.
public struct DateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int32
    public var month: UInt8
    public var day: UInt8
    public var hour: UInt8
    public var minute: UInt8
    public var second: UInt8
    /// 0...999_999.
    public var microsecond: UInt32

    /// Out-of-range components are clamped to what the fields can hold; the server
    /// rejects or adjusts invalid dates on its side.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        self.year = Int32(clamping: year)
        self.month = UInt8(clamping: month)
        self.day = UInt8(clamping: day)
        self.hour = UInt8(clamping: hour)
        self.minute = UInt8(clamping: minute)
        self.second = UInt8(clamping: second)
        self.microsecond = UInt32(clamping: microsecond)
    }

    /// The UTC date and time `secondsSince1970` seconds after 1970-01-01 00:00:00.
    public init(secondsSince1970: Int64, microsecond: Int = 0) {
        let (days, secondOfDay) = secondsSince1970.floorDivided(by: 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        self.init(
            year: Int(year),
            month: Int(month),
            day: Int(day),
            hour: Int(secondOfDay / 3600),
            minute: Int(secondOfDay % 3600 / 60),
            second: Int(secondOfDay % 60),
            microsecond: microsecond
        )
    }

    /// Seconds since 1970-01-01 00:00:00, reading the fields as UTC (the microseconds
    /// are not included).
    public var secondsSince1970: Int64 {
        let days = Self.days(fromCivil: Int64(year), Int64(month), Int64(day))
        return days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }

    /// `YYYY-MM-DD hh:mm:ss`, with `.ffffff` when there are microseconds.
    public var description: String {
        func pad(_ value: some BinaryInteger, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if microsecond != 0 { text += ".\(pad(microsecond, 6))" }
        return text
    }

    public static func < (lhs: DateTime, rhs: DateTime) -> Bool {
        let left = (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
        let right = (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
        return left != right ? left < right : lhs.microsecond < rhs.microsecond
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).

    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    /// Quotient rounded toward minus infinity, and the matching non-negative remainder.
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
