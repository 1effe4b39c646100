import Glibc

/// A plain CGI request: parameters from the environment, body on stdin,
/// response on stdout. Used when no FastCGI socket was handed to the process.
public final class CGIExchange: RequestExchange {
    /// Body bytes read from stdin so far.
    private var consumed = 0

    public init() {}

    /// Reads and drops the rest of the declared body, after the response went out.
    /// A CGI program that exits with body bytes unread (a 413 refused from
    /// `CONTENT_LENGTH`) makes Apache's mod_cgid see its socket reset, and the
    /// client gets a broken response instead of the 413. Bounded by
    /// `CONTENT_LENGTH` (so a terminal on stdin is never waited for) and by `limit`.
    public func discardRemainingBody(limit: Int = 8 << 20) {
        guard let declared = parameter("CONTENT_LENGTH").flatMap({ Int($0) }), declared > consumed else { return }
        var remaining = min(declared - consumed, limit)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while remaining > 0 {
            let n = read(0, &buffer, min(buffer.count, remaining))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            remaining -= n
        }
    }

    public func parameter(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    public func readBody(count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                read(0, buffer.baseAddress! + filled, count - filled)
            }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            filled += n
        }
        consumed += filled
        if filled < count { bytes.removeSubrange(filled...) }
        return bytes
    }

    public func write(_ response: [UInt8]) {
        var written = 0
        while written < response.count {
            let n = response.withUnsafeBytes { buffer in
                Glibc.write(1, buffer.baseAddress! + written, response.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            written += n
        }
    }
}
