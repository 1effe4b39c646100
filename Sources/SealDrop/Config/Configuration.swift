/// A setting that is wrong, in one sentence naming it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Everything SealDrop can be told, from the environment and a `.env` file
/// (the environment wins, since shared hosts often can only offer the file).
public struct Configuration: Sendable {
    public struct Database: Sendable {
        public var host = "localhost"
        public var port: UInt32 = 3306
        public var socket: String?
        /// `DB_HOSTS`: several servers, tried in turn (the nodes of a Galera cluster);
        /// empty when `DB_HOST`/`DB_PORT` or `DB_SOCKET` name the one server.
        public var hosts: [DatabaseServer] = []
        public var user = ""
        public var password = ""
        public var name = ""
        public var connectTimeoutSeconds: UInt32 = 3

        /// The servers to try, in order: those of `DB_HOSTS`, or the one server.
        public var servers: [DatabaseServer] {
            hosts.isEmpty ? [socket.map { .socket(path: $0) } ?? .tcp(host: host, port: port)] : hosts
        }
    }

    public var database = Database()
    /// Prefix of the links `/register` returns; derived from the request when unset.
    public var baseURL: String?
    public var threads = 4
    public var listen: String?
    public var socketMode: UInt32 = 0o666
    /// `["*"]` answers any origin, as Flask-CORS does by default.
    public var corsOrigins = ["*"]
    public var limits = Limits()
    /// Flood limits; 0 switches a rate limit off.
    public var abuse = AbuseLimits()
    /// Messages expire after 30 days, seen ones after 7: a drop is a mailbox, not an archive.
    /// Unanswered permission requests lapse after 30 days too; a rejected link waits 30
    /// days before it may ask the same recipient again.
    public var retention = RetentionPolicy(messageSeconds: 30 * 86_400, seenMessageSeconds: 7 * 86_400,
                                           rejectionWaitSeconds: 30 * 86_400, batchSize: 500)
    /// How often each process purges one batch, after a response has gone out.
    public var purgeIntervalSeconds = 60
    /// Where the settings came from, for `check-config`.
    public var sourceFile: String?
    /// Sentences about settings that are accepted but do nothing, for
    /// `check-config` and the log at startup.
    public var warnings: [String] = []

    public init() {}

    /// Reads the settings. An explicitly named file must exist; the default
    /// `.env` beside the binary is optional.
    public static func load(environment: [String: String], explicitFile: String? = nil) throws(ConfigurationError) -> Configuration {
        var values: [String: String] = [:]
        var source: String?
        let named = explicitFile ?? environment["SEALDROP_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let named {
            guard let text = EnvFile.read(path: named) else {
                throw ConfigurationError(description: "The configuration file \(named) cannot be read.")
            }
            values = EnvFile.parse(text)
            source = named
        } else if let beside = EnvFile.besideExecutable(), let text = EnvFile.read(path: beside) {
            values = EnvFile.parse(text)
            source = beside
        }
        for (key, value) in environment { values[key] = value }
        var configuration = try Configuration(values: values)
        configuration.sourceFile = source
        return configuration
    }

    init(values: [String: String]) throws(ConfigurationError) {
        let reader = SettingReader(values: values)
        database.host = reader.string("DB_HOST") ?? database.host
        database.port = try reader.integer("DB_PORT", in: 1...65535).map(UInt32.init) ?? database.port
        database.socket = reader.string("DB_SOCKET")
        if let hosts = reader.string("DB_HOSTS") {
            // Two ways of naming the server at once would leave one silently ignored.
            if let other = ["DB_HOST", "DB_PORT", "DB_SOCKET"].first(where: { reader.string($0) != nil }) {
                throw ConfigurationError(description: "DB_HOSTS and \(other) are both set; name the servers in DB_HOSTS only.")
            }
            database.hosts = try DatabaseServer.list(hosts)
        }
        database.user = reader.string("DB_USER") ?? ""
        database.password = reader.string("DB_PASSWORD") ?? ""
        database.name = reader.string("DB_NAME") ?? ""
        database.connectTimeoutSeconds = try reader.integer("DB_CONNECT_TIMEOUT", in: 1...60).map(UInt32.init) ?? database.connectTimeoutSeconds
        guard !database.user.isEmpty else { throw ConfigurationError(description: "DB_USER is not set.") }
        guard !database.name.isEmpty else { throw ConfigurationError(description: "DB_NAME is not set.") }

        if let base = reader.string("BASE_URL") {
            guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                throw ConfigurationError(description: "BASE_URL must start with http:// or https:// (got \(base)).")
            }
            baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        threads = try reader.integer("SEALDROP_THREADS", in: 1...256).map(Int.init) ?? threads
        listen = reader.string("SEALDROP_LISTEN")
        if let mode = reader.string("SEALDROP_SOCKET_MODE") {
            guard let parsed = UInt32(mode, radix: 8), parsed <= 0o777 else {
                throw ConfigurationError(description: "SEALDROP_SOCKET_MODE must be an octal file mode such as 0660 (got \(mode)).")
            }
            socketMode = parsed
        }
        if let origins = reader.string("SEALDROP_CORS_ORIGINS") {
            corsOrigins = origins.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        }
        try limits.read(from: reader)
        retention.usedChallengeGraceSeconds = limits.challengeLifetimeSeconds
        if reader.string("SEALDROP_MAX_OUTSTANDING_CHALLENGES") != nil {
            warnings.append("SEALDROP_MAX_OUTSTANDING_CHALLENGES is no longer used: issuing a challenge holds nothing per link "
                            + "since 0.11 (a flood of /challenge_request meets the address limit instead); remove the setting.")
        }
        try abuse.read(from: reader)
        if let days = try reader.integer("SEALDROP_RETENTION_DAYS", in: 1...3650) {
            retention.messageSeconds = Int(days) * 86_400
        }
        if let days = try reader.integer("SEALDROP_SEEN_RETENTION_DAYS", in: 0...3650) {
            retention.seenMessageSeconds = Int(days) * 86_400
        }
        if let days = try reader.integer("SEALDROP_REJECTION_WAIT_DAYS", in: 1...3650) {
            retention.rejectionWaitSeconds = Int(days) * 86_400
        }
        guard retention.seenMessageSeconds <= retention.messageSeconds else {
            throw ConfigurationError(description: "SEALDROP_SEEN_RETENTION_DAYS must not exceed SEALDROP_RETENTION_DAYS.")
        }
        purgeIntervalSeconds = try reader.integer("SEALDROP_PURGE_INTERVAL_SECONDS", in: 0...86_400).map(Int.init) ?? purgeIntervalSeconds
    }
}

/// Reads one setting at a time, turning a malformed value into a sentence naming it.
struct SettingReader {
    let values: [String: String]

    func string(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64? {
        guard let text = string(key) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw ConfigurationError(description: "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \(text)).")
        }
        return value
    }
}
