import Foundation
import Sodium
import Testing
import TestSupport

/// Issue 4, point 6: the responder logs one line per request (time, request id,
/// method, route, status, duration) and never a secret: no fetch token, challenge,
/// signature, ciphertext, link token or the database password from its config.
/// Runs on a private stack so every line of its log can be accounted for.
@Suite("Request log")
struct LogSecrecyTests {
    /// `<time> <request id> <METHOD> <route> <status> <duration>ms`; the id is the
    /// responder's `<pid>-<worker>-<n>` or a front server's plain token.
    static let requestLine = #"\S+ [0-9A-Za-z-]{1,64} [A-Z]+ \S+ [0-9]{3} [0-9]+(\.[0-9]+)?ms"#
    /// A request id of the client's own in `X-Request-ID`: this stack trusts no proxy,
    /// so the responder must not take it (it could name another request's line).
    static let probeID = "log-secrecy-probe-0001"
    /// nginx's `$request_id`, which the stack's nginx passes as `REQUEST_ID`.
    static let nginxID = "^[0-9a-f]{32}$"

    @Test("One line per request with method, route, status, duration and id; no secret in the log")
    func logHasOneLinePerRequestAndNoSecrets() throws {
        try PrivateStack.with(name: "e2e-logs") { stack in
            let password = try #require(stack.values["SEALDROP_TEST_DB_PASSWORD"], "stack.env has no DB password")
            let config = try String(contentsOfFile: stack.runDirectory + "/sealdrop.env", encoding: .utf8)
            #expect(password.count >= 16 && config.contains("DB_PASSWORD=\(password)"),
                "the responder's config should hold the database password the test looks for")
            let logPath = stack.runDirectory + "/sealdrop.log"
            let offset = try logSize(logPath)

            let (expected, answered, secrets) = try sendRequestsCarryingSecrets(stack.client(), password: password)

            // The line is written just after the response; wait for all of them.
            var lines: [Substring] = []
            try waitUntil("the responder logged \(expected.count) request lines", timeout: 15) {
                lines = try requestLines(logPath, from: offset)
                return lines.count >= expected.count
            }
            let parsed = lines.compactMap(parse)
            #expect(parsed.count == lines.count, "malformed request lines: \(lines.filter { parse($0) == nil })")
            #expect(lines.count == expected.count, "expected \(expected.count) request lines, got:\n\(lines.joined(separator: "\n"))")
            #expect(parsed.map(\.summary).sorted() == expected.sorted(),
                "logged \(parsed.map(\.summary).sorted()) for requests \(expected.sorted())")
            #expect(Set(parsed.map(\.id)).count == parsed.count, "request ids repeat")
            // Each answer names its log line in X-Request-ID.
            for (id, summary) in answered {
                #expect(parsed.filter { $0.id == id }.map(\.summary) == [summary], "no single log line \(id) for \(summary)")
            }
            #expect(!parsed.contains { $0.id == Self.probeID }, "a client's X-Request-ID named a log line")
            #expect(answered.allSatisfy { matches($0.id, Self.nginxID) }, "ids other than nginx's: \(answered.map(\.id))")

            let log = try String(contentsOfFile: logPath, encoding: .utf8)
            for (what, secret) in secrets {
                #expect(!log.contains(secret), "the log contains the \(what)")
            }
            // No token-like run anywhere: tokens, keys, signatures and ciphertexts are
            // all 32+ characters of base64 or hex, which no log line needs.
            // The id field is left out: a front server's request id may be that long.
            let suspicious = log.split(separator: "\n").filter { line in
                var fields = line.split(separator: " ", omittingEmptySubsequences: false)
                if fields.count > 2 { fields.remove(at: 1) }
                return fields.joined(separator: " ").range(of: "[A-Za-z0-9+/=_-]{32,}", options: .regularExpression) != nil
            }
            #expect(suspicious.isEmpty, "log lines with token-like text: \(suspicious.prefix(5))")
        }
    }

    /// Sends requests that carry every kind of secret; returns the
    /// `METHOD route status` each should be logged as, the X-Request-ID of each
    /// answer seen here with its summary, and the secrets by name.
    private func sendRequestsCarryingSecrets(_ api: SealDropClient, password: String) throws
        -> ([String], [(id: String, summary: String)], [(String, String)])
    {
        var expected: [String] = []
        var answered: [(id: String, summary: String)] = []
        func sent(_ response: HTTPResponse, _ method: String, _ route: String, _ status: Int) {
            #expect(response.status == status, "\(method) \(route): \(response)")
            expected.append("\(method) \(route) \(status)")
            let id = response.header("X-Request-ID")
            #expect(id != nil, "\(method) \(route): no X-Request-ID")
            if let id { answered.append((id, "\(method) \(route) \(status)")) }
        }
        let recipient = try Recipient(client: api, displayName: "log secrecy")
        expected.append("POST /register 201")
        let link = recipient.linkToken
        sent(try api.linkInfo(link), "GET", "/l/{link_token}", 200)
        let ciphertext = try api.seal("a secret message", forLink: link)
        expected.append("GET /l/{link_token} 200")  // seal() looks the key up
        sent(try api.send(linkToken: link, ciphertext: ciphertext, metadata: ["note": "metadata-marker"]), "POST", "/send", 201)

        let challengeJSON = try api.expect(api.challenge(linkToken: link), 200, "POST /challenge_request")
        expected.append("POST /challenge_request 200")
        let challenge = try #require(challengeJSON["challenge"]?.string)
        let signature = recipient.sign(challenge)
        sent(try api.fetch(linkToken: link, auth: .signed(challenge: challenge, signature: signature)), "POST", "/fetch", 200)
        let forged = Base64.encode(SigningKeyPair().signature(for: Array(challenge.utf8)))
        sent(try api.fetch(linkToken: link, auth: .signed(challenge: challenge, signature: forged)), "POST", "/fetch", 401)

        let wrongToken = Base64.encodeURLSafeNoPadding(randomBytes(48))
        sent(try api.fetch(linkToken: link, auth: .bearer(wrongToken)), "POST", "/fetch", 401)
        sent(try api.fetch(linkToken: link, auth: .bearer(password)), "POST", "/fetch", 401)
        sent(try api.fetch(linkToken: link, auth: recipient.bearer), "POST", "/fetch", 200)
        sent(try api.ack(linkToken: link, messageIDs: [1], auth: recipient.bearer), "POST", "/ack", 200)
        let rotated = try api.http.post("/rotate_fetch_token", json: ["link_token": .string(link)],
                                        headers: [("Authorization", "Bearer \(recipient.registration.fetchToken)")])
        sent(rotated, "POST", "/rotate_fetch_token", 200)
        let newToken = try #require(rotated.json?["fetch_token"]?.string)
        sent(try api.fetch(linkToken: link, auth: .bearer(newToken)), "POST", "/fetch", 200)

        // Refused requests carry secrets too: an oversized ciphertext, malformed JSON
        // around the password, a token in a path and a query.
        let oversized = Base64.encode(randomBytes(16 * 1024 + 3))
        sent(try api.send(linkToken: link, ciphertext: oversized), "POST", "/send", 413)
        sent(try api.http.post("/register", text: #"{"public_key": "\#(password)""#), "POST", "/register", 400)
        sent(try api.http.get("/l/\(link)/\(newToken)?fetch_token=\(newToken)"), "GET", "/l/{link_token}", 404)
        sent(try api.http.get("/health", headers: [("X-Request-ID", Self.probeID)]), "GET", "/health", 200)

        let secrets = [
            ("fetch token", recipient.registration.fetchToken), ("rotated fetch token", newToken),
            ("wrong fetch token", wrongToken), ("link token", link), ("challenge", challenge),
            ("challenge signature", signature), ("forged signature", forged), ("ciphertext", ciphertext),
            ("start of the oversized ciphertext", String(oversized.prefix(40))), ("metadata", "metadata-marker"),
            ("database password", password), ("public key", recipient.publicKeyBase64),
        ]
        return (expected, answered, secrets)
    }

    private func logSize(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// The request lines the log gained after `offset` (notices and errors left out).
    private func requestLines(_ path: String, from offset: UInt64) throws -> [Substring] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let text = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").filter { line in
            line.first?.isNumber == true && !line.contains(" sealdrop: ") && !line.contains(" error: ")
        }
    }

    private struct LoggedRequest {
        let id: String
        let summary: String
    }

    private func parse(_ line: Substring) -> LoggedRequest? {
        let fields = line.split(separator: " ").map(String.init)
        guard matches(String(line), Self.requestLine), fields.count == 6,
              parseTimestamp(fields[0]) != nil else { return nil }
        return LoggedRequest(id: fields[1], summary: "\(fields[2]) \(fields[3]) \(fields[4])")
    }
}
