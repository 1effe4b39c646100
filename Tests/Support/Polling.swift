import Foundation

/// The condition of `waitUntil` did not become true before the deadline.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let description: String
}

/// Polls `condition` every `interval` until it returns true, and throws
/// `DeadlineExceeded` (with `what` and the last error seen) after `timeout` seconds.
/// Errors thrown by `condition` count as "not yet" (e.g. connection refused while
/// a server starts). This is readiness polling with a deadline, not a fixed sleep.
public func waitUntil(
    _ what: String, timeout: Double = 30, interval: Double = 0.1, _ condition: () throws -> Bool
) throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    var lastError: (any Error)?
    while true {
        do {
            if try condition() { return }
            lastError = nil
        } catch {
            lastError = error
        }
        if ContinuousClock.now >= deadline {
            let detail = lastError.map { " (last error: \($0))" } ?? ""
            throw DeadlineExceeded(description: "\(what) did not happen within \(timeout) s\(detail)")
        }
        Thread.sleep(forTimeInterval: interval)
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it;
/// it is released before returning, so the caller should bind it soon).
public func freeLocalPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HTTPClientError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw HTTPClientError("cannot bind an ephemeral port on 127.0.0.1") }
    return UInt16(bigEndian: address.sin_port)
}
