import Foundation
import Sodium
import Testing
import TestSupport

import Glibc

/// Issue 2, point 6: with MariaDB down the responder keeps running and answers
/// 503 JSON with `Retry-After`; when MariaDB is back it reconnects by itself.
/// Each test stops a database, so each runs on a private stack of its own.
@Suite("Database outage", .serialized)
struct DatabaseOutageTests {
    /// Requests per check: enough to reach every worker thread of the responder,
    /// each of which holds its own MariaDB connection.
    private let rounds = 12

    @Test("MariaDB stopped: 503 JSON with Retry-After, no crash; back: it reconnects without restart")
    func outageAndRecovery() throws {
        try PrivateStack.with(name: "e2e-outage") { stack in
            let api = try stack.client()
            try api.expect(api.http.get("/health"), 200, "GET /health before the outage")
            let recipient = try Recipient(client: api)
            let ciphertext = try api.seal("sent before the outage", forLink: recipient.linkToken)
            try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: ciphertext), 201, "send before")
            let responder = try stack.responderPID()
            #expect(isAlive(responder), "responder \(responder) is not running before the outage")

            try stack.run("db-stop")
            for _ in 0..<rounds {
                expectUnavailable(try api.http.get("/health"), "GET /health")
                expectUnavailable(
                    try api.register(publicKey: Base64.encode(SigningKeyPair().publicKey.bytes)), "POST /register")
            }
            expectUnavailable(try api.linkInfo(recipient.linkToken), "GET /l/{token}")
            expectUnavailable(try api.send(linkToken: recipient.linkToken, ciphertext: ciphertext), "POST /send")
            expectUnavailable(try api.challenge(linkToken: recipient.linkToken), "POST /challenge_request")
            expectUnavailable(try api.fetch(linkToken: recipient.linkToken, auth: recipient.bearer), "POST /fetch")
            expectUnavailable(try api.ack(linkToken: recipient.linkToken, messageIDs: [1], auth: recipient.bearer),
                "POST /ack")
            #expect(isAlive(responder), "the responder died while the database was down")

            try stack.run("db-start")
            try waitUntil("GET /health answers 200 after db-start", timeout: 30) {
                try api.http.get("/health").status == 200
            }
            #expect(try stack.responderPID() == responder, "the responder was restarted")
            #expect(isAlive(responder))

            // Every worker must have reconnected, not just the one /health reached.
            for index in 0..<rounds {
                let fresh = try Recipient(client: api, displayName: "after outage \(index)")
                let box = try api.seal("after the outage", forLink: fresh.linkToken)
                try api.expect(api.send(linkToken: fresh.linkToken, ciphertext: box), 201, "send after the outage")
            }
            let kept = try recipient.fetchMessages()
            #expect(kept.compactMap { $0["encrypted_message"]?.string } == [ciphertext],
                "the message sent before the outage is gone")
            try api.expect(api.fetch(linkToken: recipient.linkToken, auth: recipient.signedAuth()), 200,
                "signed fetch after the outage")
        }
    }

    @Test("The responder starts while MariaDB is down, answers 503, and connects once it is up")
    func startWithDatabaseDown() throws {
        try PrivateStack.with(name: "e2e-nodb") { stack in
            let api = try stack.client()
            try api.expect(api.http.get("/health"), 200, "GET /health of the fresh stack")
            let first = try stack.responderPID()
            try stack.run("db-stop")

            try stack.run("responder-stop")
            try waitUntil("responder-stop ends the responder", timeout: 30) { !isAlive(first) }
            try stack.run("responder-start")

            // 502 from nginx until the responder has its socket; then it must answer itself.
            try waitUntil("the responder started without a database answers /health", timeout: 30) {
                try api.http.get("/health").status == 503
            }
            let second = try stack.responderPID()
            #expect(second != first)
            for _ in 0..<rounds {
                expectUnavailable(try api.http.get("/health"), "GET /health")
                expectUnavailable(
                    try api.register(publicKey: Base64.encode(SigningKeyPair().publicKey.bytes)), "POST /register")
            }
            #expect(isAlive(second), "the responder exited without its database")

            try stack.run("db-start")
            try waitUntil("GET /health answers 200 after db-start", timeout: 30) {
                try api.http.get("/health").status == 200
            }
            for index in 0..<rounds {
                let recipient = try Recipient(client: api, displayName: "late database \(index)")
                let box = try api.seal("hello", forLink: recipient.linkToken)
                try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: box), 201, "send")
                #expect(try recipient.fetchMessages().count == 1)
            }
            #expect(try stack.responderPID() == second, "the responder was restarted")
        }
    }

    /// Asserts a 503 JSON error with `Retry-After`.
    private func expectUnavailable(_ response: HTTPResponse, _ what: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        expectError(response, 503, "\(what) with the database down", sourceLocation: sourceLocation)
        expectRetryAfter(response, sourceLocation: sourceLocation)
    }

    /// The responder's process id, from the pid file `stack.sh` keeps in the run directory.

    private func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0
    }
}
