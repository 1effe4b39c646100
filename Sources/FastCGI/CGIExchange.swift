#if canImport(Glibc)
import Glibc
#endif

/// A plain CGI request: parameters from the environment, body on stdin,
/// response on stdout. Used when no FastCGI socket was handed to the process.
public final class CGIExchange: RequestExchange {
    public init() {}

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
