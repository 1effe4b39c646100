/// The address a request came from: `REMOTE_ADDR`, unless that is a trusted
/// front server, in which case the nearest untrusted hop of `X-Forwarded-For`.
enum ClientAddress {
    static func of(_ request: HTTPRequest, trustedProxies: [String]) -> String {
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
}
