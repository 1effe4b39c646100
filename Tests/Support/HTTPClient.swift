import Foundation

import Glibc

/// Why a request got no HTTP response at all (as opposed to an error status).
public struct HTTPClientError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A small blocking HTTP/1.1 client over a plain TCP socket, one connection per
/// request (`Connection: close`). It sends exactly the bytes it is told to, so
/// tests can also send malformed requests and lying `Content-Length` headers.
/// Blocking on purpose: concurrency tests run it on their own threads.
public struct HTTPClient: Sendable {
    /// The base URL as given, e.g. `http://127.0.0.1:8080` or `http://host/~user/drop`.
    public let baseURL: String
    /// Host and port to connect to, and the `Host` header (the URL's authority).
    public let host: String
    public let port: UInt16
    public let authority: String
    /// Path prefix of the install (no trailing slash); request paths are appended to it.
    public let pathPrefix: String
    /// Seconds allowed for connect, and for the whole exchange.
    public let timeout: Double

    /// Throws when `baseURL` is not an `http://` URL with a host.
    public init(baseURL: String, timeout: Double = 30) throws {
        guard let url = URLComponents(string: baseURL), url.scheme == "http",
            let host = url.host, !host.isEmpty
        else { throw HTTPClientError("not an http:// base URL: \(baseURL)") }
        self.baseURL = baseURL
        self.host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = UInt16(url.port ?? 80)
        let afterScheme = baseURL.dropFirst("http://".count)
        self.authority = String(afterScheme.prefix { $0 != "/" })
        var prefix = url.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.pathPrefix = prefix
        self.timeout = timeout
    }

    /// Sends `method path` with the given headers and body and returns the response.
    /// `contentLength` overrides the `Content-Length` header (default: the body size);
    /// `Host` and `Connection: close` are always added.
    public func request(
        _ method: String, _ path: String, headers: [(String, String)] = [],
        body: [UInt8] = [], contentLength: Int? = nil
    ) throws -> HTTPResponse {
        var head = "\(method) \(pathPrefix)\(path) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || contentLength != nil || method == "POST" {
            head += "Content-Length: \(contentLength ?? body.count)\r\n"
        }
        head += "\r\n"
        return try raw(Array(head.utf8) + body)
    }

    /// `GET path`.
    public func get(_ path: String, headers: [(String, String)] = []) throws -> HTTPResponse {
        try request("GET", path, headers: headers)
    }

    /// `POST path` with `json` serialized as an `application/json` body.
    public func post(_ path: String, json: JSON, headers: [(String, String)] = []) throws -> HTTPResponse {
        try post(path, text: json.serialized, headers: headers)
    }

    /// `POST path` with `text` sent verbatim as an `application/json` body (for malformed JSON).
    public func post(_ path: String, text: String, headers: [(String, String)] = []) throws -> HTTPResponse {
        try request("POST", path, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    /// Writes `bytes` to a fresh connection as they are and parses what comes back.
    /// Throws when the server sends nothing parseable before closing or timing out.
    public func raw(_ bytes: [UInt8]) throws -> HTTPResponse {
        let socket = try connect()
        defer { close(socket) }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        // A server may answer (413) and close before reading the whole body; the
        // answer is still readable, so a failed write is not an error by itself.
        _ = writeAll(socket, bytes)
        let received = try readToEnd(socket, deadline: deadline)
        return try HTTPResponseParser.parse(received)
    }

    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw HTTPClientError("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            // CLOEXEC: daemons started by a concurrent test must not inherit our sockets.
            let type = info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue)
            let fd = socket(info.pointee.ai_family, type, info.pointee.ai_protocol)
            if fd >= 0 {
                setTimeouts(fd)
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                close(fd)
            }
            cursor = info.pointee.ai_next
        }
        throw HTTPClientError("cannot connect to \(authority): \(String(cString: strerror(lastError)))")
    }

    /// SO_SNDTIMEO also bounds `connect` on Linux; SO_RCVTIMEO bounds each `recv`.
    private func setTimeouts(_ fd: Int32) {
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, size)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, size)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    private func readToEnd(_ fd: Int32, deadline: ContinuousClock.Instant) throws -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received += chunk[0..<n]
            } else if n == 0 {
                return received
            } else if errno == EINTR {
                continue
            } else if errno == ECONNRESET && !received.isEmpty {
                return received
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                throw HTTPClientError("no complete response from \(authority) within \(timeout) s")
            } else {
                throw HTTPClientError("recv from \(authority) failed: \(String(cString: strerror(errno)))")
            }
            if ContinuousClock.now > deadline {
                throw HTTPClientError("response from \(authority) took longer than \(timeout) s")
            }
        }
    }
}
