import Foundation
import Sodium
import Testing
import TestSupport

import Glibc

/// Issue 11: no request may take SealDrop down. The hostile bodies that once
/// trapped get a 4xx while everyone else is served, and a worker process that does
/// die (here: `kill -9`) costs only what it had in flight: its supervisor replaces
/// it, every other request succeeds and no accepted message is lost. Each test runs
/// on a private stack (2 worker processes × 2 threads, the stack's default), since
/// it kills or watches its workers.
@Suite("Crash isolation", .serialized)
struct CrashIsolationTests {
    /// Mailbox caps out of the way: the load sends thousands of messages.
    private static let settings = ["SEALDROP_MAILBOX_MAX_MESSAGES": "10000000", "SEALDROP_MAILBOX_MAX_BYTES": "1099511627776"]
    private static let threadsPerWorker = 2

    /// The numbers that reached `abs(Int.min)` or other arithmetic on client values,
    /// in every integer field, and metadata nested deeper than MariaDB's JSON allows.
    private static func hostileBodies(link: String) -> [(path: String, body: String)] {
        let hugeNegativeExponent = "1e-9223372036854775808"
        var bodies: [(String, String)] = [
            ("/fetch", #"{"link_token":"\#(link)","limit":\#(hugeNegativeExponent)}"#),
            ("/fetch", #"{"link_token":"\#(link)","limit":-1e9223372036854775807}"#),
            ("/fetch", #"{"link_token":"\#(link)","before_id":\#(hugeNegativeExponent)}"#),
            ("/fetch", #"{"link_token":"\#(link)","since_id":-9223372036854775809}"#),
            ("/fetch", #"{"link_token":"\#(link)","limit":1E+400,"since_id":1e309}"#),
            ("/ack", #"{"link_token":"\#(link)","message_ids":[\#(hugeNegativeExponent)]}"#),
            ("/delete_messages", #"{"link_token":"\#(link)","message_ids":[9223372036854775808]}"#),
            ("/respond_message_request", #"{"link_token":"\#(link)","request_id":\#(hugeNegativeExponent),"action":"accept"}"#),
        ]
        let nested = String(repeating: #"{"a":"#, count: 40) + "1" + String(repeating: "}", count: 40)
        bodies.append(("/send", #"{"link_token":"\#(link)","encrypted_message":"\#(String(repeating: "A", count: 64))","metadata":\#(nested)}"#))
        return bodies
    }

    @Test("Every hostile body gets a 4xx JSON error, no worker dies, and no other client's request fails")
    func hostileBodiesWhileOthersAreServed() throws {
        try PrivateStack.with(name: "e2e-hostile", settings: Self.settings) { stack in
            let api = try stack.client()
            let recipient = try Recipient(client: api)
            let master = try stack.responderPID()
            let workers = childProcesses(of: master)
            #expect(workers.count == 2, "expected 2 worker processes, found \(workers)")

            let key = recipient.boxKeys.publicKey
            let link = recipient.linkToken
            let load = BackgroundLoad(connections: 16) { _, sequence in
                if sequence % 2 == 0 { return (try api.linkInfo(link).status, "GET /l/") }
                let box = Base64.encode(SealedBox.seal(Array("bystander \(sequence)".utf8), to: key))
                return (try api.send(linkToken: link, ciphertext: box).status, "POST /send")
            }
            try waitUntil("the load is being served", timeout: 30) { load.recorded.count >= 50 }

            for (path, body) in Self.hostileBodies(link: link) {
                for auth in [nil, "Bearer \(recipient.registration.fetchToken)"] {
                    let headers = auth.map { [("Authorization", $0)] } ?? []
                    let response = try api.http.post(path, text: body, headers: headers)
                    #expect((400..<500).contains(response.status) && response.isJSON && response.errorMessage != nil,
                        "\(path) \(body.prefix(120)) (\(auth == nil ? "no proof" : "bearer")): \(response)")
                }
            }
            let served = load.recorded.count
            try waitUntil("the load goes on after the hostile requests", timeout: 30) { load.recorded.count >= served + 50 }
            let outcomes = load.stop()

            let failed = outcomes.filter { $0.status != 200 && $0.status != 201 }
            #expect(failed.isEmpty, "\(failed.count) of \(outcomes.count) bystander requests failed: \(failed.prefix(5))")
            #expect(childProcesses(of: master) == workers, "a worker process died: \(workers) -> \(childProcesses(of: master))")
        }
    }

    @Test("kill -9 of one worker under 64 connections: replaced at once; only its requests in flight fail; nothing accepted is lost")
    func killedWorkerIsReplaced() throws {
        try PrivateStack.with(name: "e2e-kill-worker", settings: Self.settings) { stack in
            let api = try stack.client(timeout: 60)
            let recipients = try (0..<16).map { try Recipient(client: api, displayName: "kill test \($0)") }
            let targets = recipients.map { ($0.linkToken, $0.boxKeys.publicKey) }
            let master = try stack.responderPID()
            let workers = childProcesses(of: master)
            try #require(workers.count == 2, "expected 2 worker processes, found \(workers)")

            // Each outcome's tag is "recipient index:ciphertext", to find the message later.
            let load = BackgroundLoad(connections: 64) { thread, sequence in
                let index = (thread + sequence) % targets.count
                let box = Base64.encode(SealedBox.seal(Array("load \(thread)-\(sequence)".utf8), to: targets[index].1))
                return (try api.send(linkToken: targets[index].0, ciphertext: box).status, "\(index):\(box)")
            }
            defer { _ = load.stop() }
            try waitUntil("the load is being served", timeout: 60) { load.recorded.count >= 300 }

            let victim = workers[0], survivor = workers[1]
            let killedAt = load.secondsSinceStart
            #expect(kill(victim, SIGKILL) == 0)
            var replacement: pid_t = 0
            try waitUntil("a new worker process replaces \(victim)", timeout: 30, interval: 0.001) {
                let now = childProcesses(of: master)
                guard now.count == 2, let new = now.first(where: { !workers.contains($0) }) else { return false }
                replacement = new
                return true
            }
            let replacementDelay = load.secondsSinceStart - killedAt
            print("crash isolation: worker \(victim) killed, replaced by \(replacement) after "
                  + String(format: "%.1f ms", replacementDelay * 1000))

            // With the old worker paused, whatever succeeds now was served by the new one.
            #expect(kill(survivor, SIGSTOP) == 0)
            let pausedAt = load.secondsSinceStart
            let servedByNew = Result { try waitUntil("the new worker \(replacement) serves", timeout: 30) {
                load.recorded.filter { $0.endedAt > pausedAt && $0.status == 201 }.count >= 20
            } }
            #expect(kill(survivor, SIGCONT) == 0)
            try servedByNew.get()
            let resumed = load.recorded.count
            try waitUntil("the load goes on with both workers", timeout: 30) { load.recorded.count >= resumed + 100 }
            let outcomes = load.stop()

            // Only what the killed worker had in flight (one request per thread) may fail,
            // and nginx answers those with 502.
            let failed = outcomes.filter { $0.status != 201 }
            #expect(failed.count <= Self.threadsPerWorker && failed.allSatisfy { $0.status == 502 },
                "\(failed.count) of \(outcomes.count) requests failed: \(failed.map { "\($0.status) \($0.tag.prefix(80))" })")
            #expect(childProcesses(of: master).count == 2)

            var accepted = [Set<String>](repeating: [], count: recipients.count)
            for outcome in outcomes where outcome.status == 201 {
                let parts = outcome.tag.split(separator: ":", maxSplits: 1)
                accepted[Int(parts[0])!].insert(String(parts[1]))
            }
            for (index, recipient) in recipients.enumerated() {
                let stored = try Set(allMessages(of: recipient).compactMap { $0["encrypted_message"]?.string })
                let lost = accepted[index].subtracting(stored)
                #expect(lost.isEmpty, "recipient \(index): \(lost.count) of \(accepted[index].count) accepted messages are missing")
            }
            print("crash isolation: \(outcomes.count) requests under 64 connections, \(failed.count) failed (\(failed.map(\.status)))")

            // Issue 11: every process stays within 20 MiB after the load.
            for pid in [master] + childProcesses(of: master) {
                let rss = try residentKiB(of: pid)
                #expect(rss <= 20 * 1024, "process \(pid) has \(rss) KiB resident")
                print("crash isolation: process \(pid) \(pid == master ? "(supervisor)" : "(worker)") resident \(rss) KiB")
            }
        }
    }

    /// Every unseen message of `recipient`, newest first, page by page.
    private func allMessages(of recipient: Recipient) throws -> [JSON] {
        var messages: [JSON] = []
        var before: Int64?
        while true {
            let response = try recipient.client.fetch(linkToken: recipient.linkToken, auth: recipient.bearer,
                                                      limit: 200, beforeID: before)
            let page = try recipient.client.expect(response, 200, "POST /fetch")["data"]?.array ?? []
            guard let oldest = page.last?["id"]?.int else { return messages }
            messages += page
            before = oldest
        }
    }

}
