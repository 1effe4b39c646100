import CFastCGI
import Glibc

/// Why a listening socket could not be opened.
public struct ListenError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// The socket the front server connects to: one SealDrop opened itself
/// (`--listen`), or one inherited on fd 0 from spawn-fcgi, systemd or mod_fcgid.
public final class ListeningSocket: Sendable {
    public let descriptor: Int32
    /// Where a unix socket SealDrop created lives, so it can be removed on exit.
    private let createdPath: String?
    private let ownsDescriptor: Bool

    private init(descriptor: Int32, createdPath: String?, ownsDescriptor: Bool) {
        self.descriptor = descriptor
        self.createdPath = createdPath
        self.ownsDescriptor = ownsDescriptor
    }

    /// The socket on fd 0, when the process was started as a FastCGI responder.
    public static func inherited() -> ListeningSocket? {
        FastCGILibrary.initialize()
        guard FCGX_IsCGI() == 0 else { return nil }
        return ListeningSocket(descriptor: 0, createdPath: nil, ownsDescriptor: false)
    }

    /// Opens `host:port`, `:port` or a unix socket path (anything containing `/`),
    /// via `FCGX_OpenSocket`. A unix socket gets `mode`; a stale socket file left
    /// by a crashed responder is replaced, a live one is refused.
    public static func open(address: String, backlog: Int32 = 1024, mode: mode_t = 0o666) throws -> ListeningSocket {
        FastCGILibrary.initialize()
        let isUnix = address.contains("/")
        if isUnix { try removeStaleSocket(at: address) }
        else if !address.contains(":") {
            throw ListenError(description: "listen address \(address) is neither host:port nor a socket path")
        }
        let fd = FCGX_OpenSocket(address, backlog)
        guard fd >= 0 else {
            throw ListenError(description: "cannot listen on \(address): \(String(cString: strerror(errno)))")
        }
        if isUnix, chmod(address, mode) != 0 {
            close(fd)
            throw ListenError(description: "cannot set permissions of \(address): \(String(cString: strerror(errno)))")
        }
        return ListeningSocket(descriptor: fd, createdPath: isUnix ? address : nil, ownsDescriptor: true)
    }

    private static func removeStaleSocket(at path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw ListenError(description: "\(path) exists and is not a socket")
        }
        if isAcceptingConnections(path) {
            throw ListenError(description: "another responder is already listening on \(path)")
        }
        unlink(path)
    }

    private static func isAcceptingConnections(_ path: String) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
        if let createdPath { unlink(createdPath) }
    }
}
