import Foundation

/// The Galera cluster stack of `scripts/cluster.sh`: three nodes, responders each on
/// a different node, nginx in front. `make test-cluster` starts one and exports the
/// SEALDROP_CLUSTER_* variables; under a bare `swift test` the cluster suite starts
/// one of its own (`.run/cluster-swift-test-<pid>`), stopped when the tests end.
/// Without either, the suite fails: it never passes untested.
public struct ClusterEnvironment: Sendable {
    /// nginx spreading requests round-robin over responders 1-3 (send rate and address limits off).
    public let url: String
    /// nginx in front of responder 1, 2 and 3 alone, each on node 1, 2 and 3 first.
    public let responderURLs: [String]
    /// nginx round-robin over three more responders, one per node, which take 20 sends
    /// a minute per link (those of ``url`` take any number, up to 150 unseen messages).
    public let rateLimitedURL: String
    /// Unix sockets of nodes 1-3.
    public let nodeSockets: [String]
    public let user: String
    public let password: String
    public let name: String
    /// `scripts/cluster.sh`, and the environment that finds this cluster.
    public let script: String
    public let scriptEnvironment: [String: String]

    /// The cluster `make test-cluster` gave, or one started for this test process.
    public static func current() throws -> ClusterEnvironment {
        if ProcessInfo.processInfo.environment["SEALDROP_CLUSTER_URL"] != nil {
            return try ClusterEnvironment(values: ProcessInfo.processInfo.environment)
        }
        return try ClusterEnvironment(values: try started.get())
    }

    private static let started: Result<[String: String], any Error> = Result {
        let repository = try TestEnvironment.repository()
        let directory = "\(repository)/.run/cluster-swift-test-\(ProcessInfo.processInfo.processIdentifier)"
        return try ScriptedStacks.start(
            script: repository + "/scripts/cluster.sh",
            environment: ["CLUSTER_DIR": directory, "SEALDROP_BIN": try TestEnvironment.binary()],
            directory: directory, environmentFile: directory + "/cluster.env")
    }

    init(values: [String: String]) throws {
        func value(_ name: String) throws -> String {
            guard let value = values[name], !value.isEmpty else {
                throw MissingEnvironment(name: name, purpose: "the Galera cluster of scripts/cluster.sh")
            }
            return value
        }
        url = try value("SEALDROP_CLUSTER_URL")
        responderURLs = try value("SEALDROP_CLUSTER_RESPONDER_URLS").split(separator: ",").map(String.init)
        rateLimitedURL = try value("SEALDROP_CLUSTER_RATE_LIMITED_URL")
        nodeSockets = try value("SEALDROP_CLUSTER_DB_SOCKETS").split(separator: ",").map(String.init)
        user = try value("SEALDROP_CLUSTER_DB_USER")
        password = try value("SEALDROP_CLUSTER_DB_PASSWORD")
        name = try value("SEALDROP_CLUSTER_DB_NAME")
        script = try value("SEALDROP_CLUSTER_SCRIPT")
        scriptEnvironment = ["CLUSTER_DIR": try value("CLUSTER_DIR"), "CLUSTER_PORT_BASE": try value("CLUSTER_PORT_BASE")]
        guard responderURLs.count == 3, nodeSockets.count == 3 else {
            throw MissingEnvironment(name: "SEALDROP_CLUSTER_RESPONDER_URLS", purpose: "three responders and three nodes")
        }
    }

    /// An API client for nginx at `url`.
    public func client(_ url: String, timeout: Double = 30) throws -> SealDropClient {
        SealDropClient(http: try HTTPClient(baseURL: url, timeout: timeout))
    }

    /// Runs `cluster.sh` with `arguments` (e.g. `node-kill 2`); throws with its output when it fails.
    @discardableResult
    public func run(_ arguments: String...) throws -> CommandResult {
        let result = try runCommand("/bin/bash", [script] + arguments, environment: scriptEnvironment)
        guard result.status == 0 else {
            throw StackError("cluster.sh \(arguments.joined(separator: " ")) exited \(result.status):\n\(result.output.suffix(3000))")
        }
        return result
    }
}
