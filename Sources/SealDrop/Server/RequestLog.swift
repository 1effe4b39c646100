#if canImport(Glibc)
import Glibc
#endif

/// One line per request on stderr, which the front server collects: time,
/// request id, method, route, status, duration. Routes are logged by name
/// (`/l/{link_token}`), and nothing from headers or bodies is ever written,
/// so no token, signature, ciphertext or password can reach the log.
struct RequestLog {
    static func request(id: String, method: String, route: String, status: Int, microseconds: Int64) {
        let millis = Double(microseconds) / 1000
        let rounded = (millis * 10).rounded() / 10
        write("\(Timestamp.now().iso8601) \(id) \(sanitized(method)) \(route) \(status) \(rounded)ms")
    }

    static func error(id: String, _ detail: String) {
        write("\(Timestamp.now().iso8601) \(id) error: \(detail)")
    }

    static func notice(_ text: String) {
        write("\(Timestamp.now().iso8601) sealdrop: \(text)")
    }

    /// One `write` per line, so lines of concurrent threads never interleave.
    private static func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(10)
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }

    /// Methods come from the client; keep the log one line of plain text.
    private static func sanitized(_ method: String) -> String {
        let clean = method.prefix(16).filter { $0.isLetter }
        return clean.isEmpty ? "-" : String(clean)
    }
}

/// Microseconds from a monotonic clock, for request durations.
func monotonicMicroseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
}
