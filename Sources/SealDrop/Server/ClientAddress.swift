import Glibc

/// The address a request came from, as the flood limits count it.
enum ClientAddress {
    /// `REMOTE_ADDR`, unless that is a trusted front server, in which case the
    /// nearest untrusted hop of `X-Forwarded-For`; then grouped by ``limitKey(_:ipv6PrefixLength:)``.
    static func of(_ request: HTTPRequest, trustedProxies: [String], ipv6PrefixLength: Int) -> String {
        limitKey(sender(of: request, trustedProxies: trustedProxies), ipv6PrefixLength: ipv6PrefixLength)
    }

    static func sender(of request: HTTPRequest, trustedProxies: [String]) -> String {
        let remote = request.remoteAddress
        guard !trustedProxies.isEmpty, trustedProxies.contains(remote),
              let forwarded = request.header("x-forwarded-for") else { return remote }
        // Walk from the right: each trusted hop vouches for the one before it.
        let hops = forwarded.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trustedProxies.contains(hop) {
            return String(hop.prefix(64))
        }
        return hops.first.map { String($0.prefix(64)) } ?? remote
    }

    /// One key per client as an operator sees clients: an IPv4 address as it is; an
    /// IPv6 address by its network of `ipv6PrefixLength` bits (a /64 is what one
    /// subscriber is given, and rotating addresses inside it costs nothing), written
    /// `2001:db8:1:2::/64`; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a
    /// dual-stack socket reports for IPv4) as the IPv4 address. Anything else (not an
    /// address at all) is its own key.
    static func limitKey(_ address: String, ipv6PrefixLength: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        if address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 {
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return bytes[12...].map { String($0) }.joined(separator: ".")
            }
            let prefix = max(0, min(128, ipv6PrefixLength))
            for index in 0..<16 {
                let kept = max(0, min(8, prefix - index * 8))
                bytes[index] &= kept == 8 ? 0xFF : ~(0xFF >> UInt8(kept))
            }
            return text(ofIPv6: bytes) + "/\(prefix)"
        }
        return address
    }

    private static func text(ofIPv6 bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, bytes, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
