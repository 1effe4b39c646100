/// One MariaDB server: a host and port reached over TCP, or a unix socket.
public enum DatabaseServer: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: UInt32)
    case socket(path: String)

    /// `host:port` (`[address]:port` for IPv6), or `socket /path`.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .socket(let path): "socket \(path)"
        }
    }

    /// Reads `DB_HOSTS`: servers separated by commas, each `host:port`, `host` (port
    /// 3306), `[IPv6 address]:port`, or the absolute path of a unix socket, e.g.
    /// `db1.example:3306,db2.example:3306,/run/mysqld/mysqld.sock`.
    static func list(_ text: String) throws(ConfigurationError) -> [DatabaseServer] {
        var servers: [DatabaseServer] = []
        for entry in text.split(separator: ",") {
            let item = entry.trimmingSpaces()
            guard !item.isEmpty else { continue }
            servers.append(try parse(item))
        }
        guard !servers.isEmpty else {
            throw ConfigurationError(description: "DB_HOSTS must name at least one server (got \(text)).")
        }
        return servers
    }

    private static func parse(_ item: String) throws(ConfigurationError) -> DatabaseServer {
        let wrong = ConfigurationError(
            description: "DB_HOSTS entries must be host:port, [IPv6 address]:port or an absolute socket path (got \(item)).")
        if item.hasPrefix("/") { return .socket(path: item) }
        var host = Substring(item)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw wrong }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw wrong }
                portText = rest.dropFirst()
            }
        } else if let colon = host.firstIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" || $0 == "[" || $0 == "]" }) else { throw wrong }
        // An unbracketed IPv6 address leaves a colon in the port, which then does not parse.
        let port: UInt32? = if let portText { UInt32(portText) } else { 3306 }
        guard let port, (1...65535).contains(port) else { throw wrong }
        return .tcp(host: String(host), port: port)
    }
}
