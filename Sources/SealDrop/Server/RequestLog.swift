import Glibc

/// One line per request on stderr, which the front server collects: time,
/// request id, method, route, status, duration. Routes are logged by name
/// (`/l/{link_token}`), and nothing from headers or bodies is ever written,
/// so no token, signature, ciphertext or password can reach the log.
///
/// Each worker thread keeps its lines in its own buffer and writes them in
/// batches: when it has nothing else to do, once a line is a second old, or
/// when the buffer fills. A `write` per request was a tenth of the time spent
/// answering `/health`. Errors are written at once.
///
/// A batch is at most `PIPE_BUF` (4096) bytes of whole lines, so one `write`
/// of it is atomic on a pipe too (stderr under a supervisor): workers' lines
/// never interleave. A longer single line is written alone.
final class RequestLog {
    private static let capacity = 4096
    private static let maximumDelayMicroseconds: Int64 = 1_000_000

    private var buffer: [UInt8] = []
    private var oldestLineAt: Int64 = 0
    private var clock = LogClock()

    init() {
        buffer.reserveCapacity(Self.capacity)
    }

    deinit { flush() }

    func request(id: String, method: String, route: String, status: Int, microseconds: Int64, now: Int64) {
        // The duration in tenths of a millisecond by integer arithmetic: this runs
        // for every request.
        let tenths = (max(0, microseconds) + 50) / 100
        append([clock.timestamp, " ", id, " ", Self.sanitized(method), " ", route, " ", String(status), " ",
                String(tenths / 10), ".", String(tenths % 10), "ms"], now: now)
    }

    func error(id: String, _ detail: String, now: Int64) {
        append([clock.timestamp, " ", id, " error: ", detail], now: now)
        flush()
    }

    /// Writes what is buffered, in one `write` so lines of concurrent threads never interleave.
    func flush() {
        guard !buffer.isEmpty else { return }
        Self.writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Adds one line, made of `pieces` appended in turn (no string is built for
    /// it), writing out what is buffered first when the line would not fit.
    private func append(_ pieces: [String], now: Int64) {
        if buffer.count + pieces.reduce(1, { $0 + $1.utf8.count }) > Self.capacity { flush() }
        if buffer.isEmpty { oldestLineAt = now }
        for piece in pieces { buffer.append(contentsOf: piece.utf8) }
        buffer.append(10)
        flushIfDue(now: now)
    }

    private func flushIfDue(now: Int64) {
        if buffer.count >= Self.capacity || now - oldestLineAt >= Self.maximumDelayMicroseconds { flush() }
    }

    /// A line outside any request (start, stop, purge trouble), written at once.
    static func notice(_ text: String) {
        var clock = LogClock()
        writeAll(Array("\(clock.timestamp) sealdrop: \(text)\n".utf8))
    }

    private static func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    /// Methods come from the client; keep the log one line of plain text.
    private static func sanitized(_ method: String) -> String {
        let utf8 = method.utf8
        if utf8.count <= 16, !utf8.isEmpty, utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) { return method }
        let clean = method.prefix(16).filter { $0.isLetter }
        return clean.isEmpty ? "-" : String(clean)
    }
}

/// The current time as the log writes it, formatted once per second.
struct LogClock {
    private var second = -1
    private var text = ""

    var timestamp: String {
        mutating get {
            let now = Timestamp.secondsSince1970()
            if now != second {
                second = now
                text = Timestamp.now().iso8601
            }
            return text
        }
    }
}
