import CFastCGI
import Glibc

/// The request a worker thread is answering, valid between accept and finish.
///
/// libfcgi keeps pointers into the `FCGX_Request`, so it lives at a stable
/// address owned by ``FastCGIRequestSlot`` rather than in a Swift property.
final class FastCGIExchange: RequestExchange {
    private let request: UnsafeMutablePointer<FCGX_Request>

    init(request: UnsafeMutablePointer<FCGX_Request>) {
        self.request = request
    }

    func parameter(_ name: String) -> String? {
        guard let value = FCGX_GetParam(name, request.pointee.envp) else { return nil }
        return String(cString: value)
    }

    /// One walk over libfcgi's `NAME=value` strings: `FCGX_GetParam` walks them all
    /// for every name, and a request asks for some twenty.
    func parameters(_ names: ParameterNames) -> [String?] {
        var values = [String?](repeating: nil, count: names.utf8.count)
        guard var entry = request.pointee.envp else { return values }
        while let pointer = entry.pointee {
            let text = UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self)
            if let equals = strchr(pointer, 0x3D) {
                let nameLength = UnsafeRawPointer(equals) - UnsafeRawPointer(pointer)
                for (index, name) in names.utf8.enumerated() where values[index] == nil && name.count == nameLength {
                    if name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, text, nameLength) == 0 }) {
                        values[index] = String(cString: equals + 1)
                        break
                    }
                }
            }
            entry += 1
        }
        return values
    }

    func readBody(count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        guard let input = request.pointee.in else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: count) {
                FCGX_GetStr($0, Int32(count), input)
            }
        }
        if read < 0 { return nil }
        if Int(read) < count { bytes.removeSubrange(Int(read)...) }
        return bytes
    }

    func write(_ response: [UInt8]) {
        guard let output = request.pointee.out, !response.isEmpty else { return }
        response.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                _ = FCGX_PutStr($0, Int32(buffer.count), output)
            }
        }
    }
}

/// Owns one `FCGX_Request` for the life of a worker thread.
final class FastCGIRequestSlot {
    let request: UnsafeMutablePointer<FCGX_Request>

    init?(listeningDescriptor: Int32) {
        request = .allocate(capacity: 1)
        guard FCGX_InitRequest(request, listeningDescriptor, 0) == 0 else {
            request.deallocate()
            return nil
        }
    }

    /// Waits for the next request. Returns 0 or a negative errno.
    func accept() -> Int32 { FCGX_Accept_r(request) }

    /// Ends the request and closes its connection. libfcgi closes by shutting
    /// down its side and reading until the front server closes too (up to two
    /// seconds), which keeps unread input from turning into a reset that could
    /// cost the front server the response. When the request's input was read to
    /// its end there is nothing left to reset, so the connection is closed
    /// plainly: fewer system calls, and no wait for the front server's close.
    func finish() {
        let connection = request.pointee
        if connection.keepConnection == 0, let input = connection.in {
            // The response goes out first, in libfcgi's own order (stderr, then stdout
            // with the end-of-request record), so nothing below can hold it back.
            let sent = FCGX_FClose(connection.err) == 0 && FCGX_FClose(connection.out) == 0
            // Nothing more is written, so the socket may stop blocking: the look at
            // the input answers from what was already read, or fails at once (and the
            // careful close follows), but never waits on the front server.
            if sent, fcntl(connection.ipcFd, F_SETFL, O_NONBLOCK) == 0,
               FCGX_GetChar(input) == EOF, FCGX_GetError(input) == 0 {
                _ = FCGX_Detach(request)
            }
        }
        FCGX_Finish_r(request)
    }

    deinit {
        // Closes a connection still open; the listening socket is not ours to close.
        FCGX_Free(request, 1)
        request.deallocate()
    }
}

@available(*, unavailable)
extension FastCGIRequestSlot: Sendable {}
