import Testing
@testable import SealDrop
import Glibc

@Suite("Timestamps")
struct TimestampTests {
    @Test("ISO 8601 with zero padding and an explicit UTC offset")
    func formatsWithPadding() {
        #expect(Timestamp(year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5).iso8601 == "2026-01-02T03:04:05+00:00")
        #expect(Timestamp(year: 1999, month: 12, day: 31, hour: 23, minute: 59, second: 59).iso8601 == "1999-12-31T23:59:59+00:00")
        #expect(Timestamp(year: 987, month: 10, day: 20, hour: 10, minute: 0, second: 0).iso8601 == "0987-10-20T10:00:00+00:00")
        #expect(Timestamp(year: 12026, month: 1, day: 1, hour: 0, minute: 0, second: 0).iso8601 == "12026-01-01T00:00:00+00:00")
    }

    @Test("The current time agrees with strftime")
    func nowMatchesStrftime() throws {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S+00:00", &parts)
        let expected = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let formatted = Timestamp(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                                  hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec)).iso8601
        #expect(formatted == expected)
    }
}
