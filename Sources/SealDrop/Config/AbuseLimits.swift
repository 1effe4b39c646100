/// Limits that keep strangers holding a link from flooding it or the server.
/// Each is configurable; the defaults are explained in the README.
public struct AbuseLimits: Sendable {
    /// Sends one link accepts per window.
    public var linkSendsPerWindow = 60
    public var linkWindowSeconds = 60
    /// Unseen messages a link's mailbox holds before sends get 429.
    public var mailboxMaxMessages = 1000
    /// Bytes of unseen messages a mailbox holds: ciphertext (its base64 text) and
    /// metadata (its JSON text), as stored.
    public var mailboxMaxBytes = 8 << 20
    /// Requests one client address may make per window (health checks excepted).
    public var addressRequestsPerWindow = 300
    public var addressWindowSeconds = 60
    /// Registrations one client address may make per hour.
    public var addressRegistrationsPerHour = 20
    /// Permission requests one link may have open at once: waiting for an answer,
    /// or rejected within the rejection wait.
    public var linkOpenRequests = 20
    /// New permission requests one client address may make per day.
    public var addressPermissionRequestsPerDay = 20
    /// How long a process may keep its flood-limit counts before it folds them
    /// into the database (see ``LocalRateCounters``); 0 writes every hit through.
    public var limitFoldMilliseconds = 1000
    /// Front servers whose `X-Forwarded-For` is believed (exact addresses).
    public var trustedProxies: [String] = []
    /// IPv6 clients are counted by their network of this many bits: a /64 is one
    /// subscriber's, so addresses rotated inside it share their limits.
    public var ipv6PrefixLength = 64

    mutating func read(from reader: SettingReader) throws(ConfigurationError) {
        linkSendsPerWindow = try reader.integer("SEALDROP_LINK_SENDS_PER_MINUTE", in: 0...1_000_000).map(Int.init) ?? linkSendsPerWindow
        mailboxMaxMessages = try reader.integer("SEALDROP_MAILBOX_MAX_MESSAGES", in: 1...10_000_000).map(Int.init) ?? mailboxMaxMessages
        mailboxMaxBytes = try reader.integer("SEALDROP_MAILBOX_MAX_BYTES", in: 1024...(1 << 40)).map(Int.init) ?? mailboxMaxBytes
        addressRequestsPerWindow = try reader.integer("SEALDROP_ADDRESS_REQUESTS_PER_MINUTE", in: 0...10_000_000).map(Int.init) ?? addressRequestsPerWindow
        addressWindowSeconds = try reader.integer("SEALDROP_ADDRESS_WINDOW_SECONDS", in: 1...86_400).map(Int.init) ?? addressWindowSeconds
        addressRegistrationsPerHour = try reader.integer("SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR", in: 0...1_000_000).map(Int.init) ?? addressRegistrationsPerHour
        linkOpenRequests = try reader.integer("SEALDROP_LINK_OPEN_REQUESTS", in: 1...1_000_000).map(Int.init) ?? linkOpenRequests
        addressPermissionRequestsPerDay = try reader.integer("SEALDROP_ADDRESS_PERMISSION_REQUESTS_PER_DAY", in: 0...1_000_000).map(Int.init) ?? addressPermissionRequestsPerDay
        ipv6PrefixLength = try reader.integer("SEALDROP_IPV6_PREFIX_LENGTH", in: 1...128).map(Int.init) ?? ipv6PrefixLength
        limitFoldMilliseconds = try reader.integer("SEALDROP_LIMIT_FOLD_MILLISECONDS", in: 0...60_000).map(Int.init) ?? limitFoldMilliseconds
        // Shorter intervals would only wake idle workers to fold a handful of hits.
        guard limitFoldMilliseconds == 0 || limitFoldMilliseconds >= 100 else {
            throw ConfigurationError(description: "SEALDROP_LIMIT_FOLD_MILLISECONDS must be 0 (write every hit through) or from 100 to 60000 (got \(limitFoldMilliseconds)).")
        }
        if let proxies = reader.string("SEALDROP_TRUSTED_PROXIES") {
            trustedProxies = proxies.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        }
    }
}
