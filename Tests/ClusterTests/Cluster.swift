import Foundation
import MariaDB
import Sodium
import Synchronization
import Testing
import TestSupport

/// SealDrop on a 3-node Galera cluster (issue 14): every promise of the README,
/// with requests spread over responders that each reach a different node. One test
/// at a time: one of them kills a node.
@Suite("Galera cluster", .serialized)
struct ClusterTests {}

/// The cluster as the tests reach it.
struct Cluster {
    let environment: ClusterEnvironment
    /// Round-robin over responders 1-3.
    let api: SealDropClient
    /// Responder 1, 2 and 3 alone, each on node 1, 2 and 3 (until one fails over).
    let nodes: [SealDropClient]
    /// Round-robin over the responders that take 20 sends a minute per link.
    let rateLimited: SealDropClient

    init() throws {
        let environment = try ClusterEnvironment.current()
        self.environment = environment
        api = try environment.client(environment.url)
        nodes = try environment.responderURLs.map { try environment.client($0) }
        rateLimited = try environment.client(environment.rateLimitedURL)
    }

    /// A connection to node `node` (0-based) as the application's database user.
    /// With `causal`, its reads see everything the cluster committed before them
    /// (and wait while the cluster cannot say what that is).
    func connection(node: Int, database: String? = nil, causal: Bool = true) throws -> Connection {
        let connection = try Connection(ConnectionOptions(unixSocket: environment.nodeSockets[node], user: environment.user,
                                                          password: environment.password, database: database ?? environment.name))
        if causal { try connection.execute("SET SESSION wsrep_sync_wait = 1") }
        return connection
    }

    /// A global status value of node `node`, e.g. `wsrep_cluster_size`, as the node sees it now.
    func status(_ name: String, node: Int) throws -> String {
        try connection(node: node, causal: false).query(
            "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = ?",
            [.text(name.uppercased())]).first?[0].string ?? ""
    }

    /// A global status value of every node.
    func status(_ name: String) throws -> [String] {
        try (0..<3).map { try status(name, node: $0) }
    }

    /// Transactions aborted by a conflict with another node, summed over the nodes:
    /// those that failed certification and those a replicated write aborted.
    func conflictCount() throws -> Int {
        let counts = try status("wsrep_local_cert_failures") + status("wsrep_local_bf_aborts")
        return counts.compactMap { Int($0) }.reduce(0, +)
    }

    /// A challenge for `recipient`'s link asked through `api`, and its signature.
    func signedAuth(_ recipient: Recipient, via api: SealDropClient) throws -> SealDropClient.Auth {
        let json = try api.expect(api.challenge(linkToken: recipient.linkToken), 200, "POST /challenge_request")
        guard let challenge = json["challenge"]?.string else { throw HTTPClientError("no challenge in \(json)") }
        return .signed(challenge: challenge, signature: recipient.sign(challenge))
    }
}

extension Cluster {
    /// `connections` clients sending back to back, client `t` through responder
    /// `t % 3`, each to a link of its own and a new one every 100 sends (a mailbox
    /// takes 150). Each outcome's tag is the new message's id.
    func sendLoad(connections: Int) -> BackgroundLoad {
        let nodes = self.nodes
        // The server cannot tell a sealed box from random bytes of its size.
        let box = Base64.encode((0..<64).map { _ in UInt8.random(in: 0...255) })
        let links = Mutex<[Int: String]>([:])
        return BackgroundLoad(connections: connections) { thread, sequence in
            let api = nodes[thread % 3]
            var link = links.withLock { $0[thread] }
            if link == nil || sequence % 100 == 0 {
                let response = try api.register(publicKey: Base64.encode(SigningKeyPair().publicKey.bytes))
                guard let token = response.json?["link_token"]?.string else { return (response.status, "register") }
                link = token
                links.withLock { $0[thread] = token }
            }
            let response = try api.send(linkToken: link ?? "", ciphertext: box)
            return (response.status, response.json?["id"]?.int.map(String.init) ?? "")
        }
    }
}

/// A figure for the cluster test summary (`make test-cluster` prints these lines).
func measured(_ line: String) {
    print("measured: \(line)")
}

/// A sealed box for `recipient`, base64, made without asking the server.
func sealed(_ plaintext: String, for recipient: Recipient) -> String {
    Base64.encode(SealedBox.seal(Array(plaintext.utf8), to: recipient.boxKeys.publicKey))
}

/// How many of `statuses` are each status, e.g. `201 x30, 429 x10`.
func tally(_ statuses: [Int]) -> String {
    Dictionary(statuses.map { ($0, 1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }
        .map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
}
