import Foundation
import Testing
import TestSupport

extension ClusterTests {
    @Suite("A node killed under load")
    struct NodeFailure {
        /// Responder 2 reaches node 2 first; with node 2 gone it must go on through
        /// node 3 or 1 (its DB_HOSTS), and node 2 must come back with everything.
        @Test("kill -9 of node 2 under load: its responder carries on through another node, nothing accepted is lost, the node rejoins")
        func killNodeUnderLoad() throws {
            let cluster = try Cluster()
            // Six clients, two on each responder.
            let load = cluster.sendLoad(connections: 6)
            var stopped = false
            defer { if !stopped { _ = load.stop() } }
            try waitUntil("the load is flowing through every responder", timeout: 30) {
                Set(load.recorded.filter { $0.status == 201 }.map(\.thread)).count == 6
            }

            try cluster.environment.run("node-kill", "2")
            let killedAt = load.secondsSinceStart
            // Until nodes 1 and 3 declare node 2 gone (Galera's evs.suspect_timeout,
            // 5 s), no node commits: requests wait. Then responder 2 goes on through
            // another node of its DB_HOSTS.
            try waitUntil("nodes 1 and 3 go on as a cluster of two", timeout: 60) {
                try cluster.status("wsrep_cluster_size", node: 0) == "2"
            }
            let reformedAt = load.secondsSinceStart
            var carriedOnAt = 0.0
            try waitUntil("responder 2 answers 201 again without node 2", timeout: 60) {
                guard let first = load.recorded.first(where: { $0.thread % 3 == 1 && $0.startedAt > killedAt && $0.status == 201 })
                else { return false }
                carriedOnAt = first.endedAt
                return true
            }
            let restartedAt = load.secondsSinceStart
            try cluster.environment.run("node-start", "2")
            let rejoinedAt = load.secondsSinceStart
            try waitUntil("requests after the rejoin", timeout: 30) {
                load.recorded.filter { $0.startedAt > rejoinedAt && $0.status == 201 }.count >= 30
            }
            let outcomes = load.stop()
            stopped = true

            let afterKill = outcomes.filter { $0.startedAt > killedAt }
            let failed = outcomes.filter { $0.status != 201 }
            // In flight on node 2 when it died: 503 (it may or may not have been stored).
            #expect(failed.allSatisfy { $0.status == 503 }, "\(tally(failed.map(\.status)))")
            #expect(failed.count <= 6, "more requests failed than were in flight at the kill: \(failed.count)")
            let longestWait = outcomes.filter { $0.endedAt > killedAt }.map { $0.endedAt - $0.startedAt }.max() ?? 0
            measured(String(format: "kill -9 of node 2: nodes 1+3 went on after %.1f s (requests waited up to %.1f s); "
                + "responder 2 answered 201 via another node %.1f s after the kill; %d of %d requests after it failed (503); "
                + "node 2 Synced again %.1f s after its restart",
                reformedAt - killedAt, longestWait, carriedOnAt - killedAt, failed.count, afterKill.count, rejoinedAt - restartedAt))

            // Every message answered 201 is there, through every node, node 2 included.
            let accepted = Set(outcomes.filter { $0.status == 201 }.compactMap { Int64($0.tag) })
            #expect(accepted.count == outcomes.filter { $0.status == 201 }.count, "an id was given twice")
            #expect(try cluster.status("wsrep_cluster_size") == ["3", "3", "3"], "every node sees three nodes")
            for node in 0..<3 {
                let stored = Set(try cluster.connection(node: node).query(
                    "SELECT id FROM messages WHERE id >= ?", [.int(accepted.min() ?? 0)]).compactMap { $0[0].int64 })
                let lost = accepted.subtracting(stored)
                #expect(lost.isEmpty, "node \(node + 1) lacks \(lost.count) of \(accepted.count) accepted messages")
            }
        }
    }
}
