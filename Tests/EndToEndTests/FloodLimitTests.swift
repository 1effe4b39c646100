import Sodium
import Testing
import TestSupport

/// Issue 4, point 1: per-link send rate and mailbox cap, per-address request and
/// registration limits kept in the database, all answered 429 with Retry-After.
/// Runs on a private stack configured with small limits, trusting nginx's
/// X-Forwarded-For so each test case can speak from an address of its own.
@Suite("Flood limits", .serialized)
struct FloodLimitTests {
    static let settings = [
        "SEALDROP_LINK_SENDS_PER_MINUTE": "6",
        "SEALDROP_MAILBOX_MAX_MESSAGES": "4",
        "SEALDROP_ADDRESS_REQUESTS_PER_MINUTE": "25",
        // A day-long window, so the count cannot roll over while the test runs
        // (the registration window is an hour).
        "SEALDROP_ADDRESS_WINDOW_SECONDS": "86400",
        "SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR": "5",
        "SEALDROP_TRUSTED_PROXIES": "127.0.0.1",
    ]

    private func expect429(_ response: HTTPResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 429, "\(what): \(response)", sourceLocation: sourceLocation)
        #expect(Int(response.header("Retry-After") ?? "") ?? 0 > 0, "\(what): Retry-After", sourceLocation: sourceLocation)
        #expect(response.errorMessage?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test("mailbox cap, send rate, address and registration limits")
    func limits() throws {
        try PrivateStack.with(name: "e2e-limits", settings: Self.settings) { stack in
            let http = try HTTPClient(baseURL: stack.baseURL)
            func from(_ address: String) -> [(String, String)] { [("X-Forwarded-For", address)] }
            func register(_ address: String) throws -> HTTPResponse {
                try http.post("/register", json: ["public_key": .string(Base64.encode(SigningKeyPair().publicKey.bytes))],
                              headers: from(address))
            }
            func send(_ link: String, _ key: X25519PublicKey, _ address: String) throws -> HTTPResponse {
                let box = Base64.encode(SealedBox.seal(Array("x".utf8), to: key))
                return try http.post("/send", json: ["link_token": .string(link), "encrypted_message": .string(box)],
                                     headers: from(address))
            }

            // Mailbox: 4 unseen messages, the 5th refused; acknowledging frees room.
            let box = BoxKeyPair()
            let owner = try SealDropClient(http: http).expect(
                http.post("/register", json: ["public_key": .string(Base64.encode(SigningKeyPair().publicKey.bytes)),
                                              "encryption_public_key": .string(Base64.encode(box.publicKey.bytes))],
                          headers: from("198.51.100.1")), 201, "register owner")
            let link = try #require(owner["link_token"]?.string)
            let fetchToken = try #require(owner["fetch_token"]?.string)
            var ids: [Int64] = []
            for index in 0..<4 {
                let response = try send(link, box.publicKey, "198.51.100.\(10 + index)")
                #expect(response.status == 201)
                ids += [response.json?["id"]?.int].compactMap { $0 }
            }
            expect429(try send(link, box.publicKey, "198.51.100.20"), "5th message into a full mailbox")
            let acked = try http.post("/ack", json: ["link_token": .string(link), "message_ids": .array(ids.prefix(2).map(JSON.int))],
                                      headers: [("Authorization", "Bearer \(fetchToken)")] + from("198.51.100.1"))
            #expect(acked.status == 200)
            #expect(try send(link, box.publicKey, "198.51.100.21").status == 201, "room again after ack")

            // Send rate: 6 per minute per link, whoever sends (mailbox has room after more acks).
            _ = try http.post("/ack", json: ["link_token": .string(link), "message_ids": .array(ids.map(JSON.int) + [.int(ids.last! + 100)])],
                              headers: [("Authorization", "Bearer \(fetchToken)")] + from("198.51.100.1"))
            #expect(try send(link, box.publicKey, "198.51.100.22").status == 201, "6th send within a minute")
            expect429(try send(link, box.publicKey, "198.51.100.23"), "7th send to the link within a minute")

            // Registrations: 5 an hour per address.
            for _ in 0..<5 { #expect(try register("203.0.113.5").status == 201) }
            expect429(try register("203.0.113.5"), "6th registration from one address")
            #expect(try register("203.0.113.6").status == 201, "another address is not affected")

            // Address requests: 25 a minute, counted in the database, so a second
            // process (a CGI run of the same binary) shares the count.
            for _ in 0..<20 { #expect(try http.get("/l/\(link)", headers: from("192.0.2.77")).status == 200) }
            let binary = try TestEnvironment.binary()
            for _ in 0..<5 {
                let cgi = try runCommand(binary, [], environment: [
                    "SEALDROP_CONFIG": stack.runDirectory + "/sealdrop.env", "REQUEST_METHOD": "GET",
                    "DOCUMENT_URI": "/l/\(link)", "REMOTE_ADDR": "192.0.2.77", "GATEWAY_INTERFACE": "CGI/1.1",
                    "SEALDROP_ADDRESS_REQUESTS_PER_MINUTE": "25", "SEALDROP_ADDRESS_WINDOW_SECONDS": "86400",
                ])
                #expect(cgi.output.contains("Status: 200"), "CGI request: \(cgi.output.prefix(300))")
            }
            expect429(try http.get("/l/\(link)", headers: from("192.0.2.77")), "26th request from one address")
            #expect(try http.get("/health", headers: from("192.0.2.77")).status == 200, "health is never limited")
            #expect(try http.get("/l/\(link)", headers: from("192.0.2.78")).status == 200)

            // IPv6 (issue 13): 25 requests from addresses rotated inside one /64 share a
            // count, another /64 has its own, and an IPv4-mapped address counts as IPv4.
            for index in 0..<25 {
                #expect(try http.get("/l/\(link)", headers: from("2001:db8:5:6:\(String(index, radix: 16))::1")).status == 200)
            }
            expect429(try http.get("/l/\(link)", headers: from("2001:db8:5:6:ffff:1:2:3")), "26th request from one /64")
            #expect(try http.get("/l/\(link)", headers: from("2001:db8:5:7::1")).status == 200, "the next /64 is another client")
            expect429(try http.get("/l/\(link)", headers: from("::ffff:192.0.2.77")), "192.0.2.77 written as IPv4-mapped IPv6")

            // The proxy (nginx's address, trusted here) names the request: its X-Request-ID
            // is the request's id; without one, nginx's own $request_id is.
            let named = try http.get("/health", headers: [("X-Request-ID", "proxy-named-request-0001")])
            #expect(named.header("X-Request-ID") == "proxy-named-request-0001")
            let unnamed = try http.get("/health")
            #expect(matches(unnamed.header("X-Request-ID") ?? "", "^[0-9a-f]{32}$"), "\(unnamed)")
        }
    }
}
