import Sodium
import Testing
import TestSupport

/// Routes, methods, the headers every answer carries, and CORS as Flask-CORS
/// with its defaults answered it.
@Suite("Routing, headers and CORS")
struct RoutingAndHeaderTests {
    @Test("GET /health is 200 healthy with a UTC timestamp")
    func health() throws {
        let api = try makeAPI()
        let response = try api.http.get("/health")
        expectAPIHeaders(response)
        let json = try api.expect(response, 200, "GET /health")
        #expect(json["status"] == "healthy")
        expectRecentTimestamp(json["timestamp"]?.string)
    }

    @Test("Unknown routes are 404")
    func unknownRoutes() throws {
        let api = try makeAPI()
        for (method, path) in [("GET", "/nope"), ("POST", "/nope"), ("GET", "/register/extra"), ("POST", "/sendx"),
                               ("GET", "/l"), ("GET", "/l/\(unknownLinkToken())/extra")] {
            let response = try api.http.request(method, path)
            expectError(response, 404, "\(method) \(path)")
            expectAPIHeaders(response)
        }
    }

    @Test("Known routes with the wrong method are 405")
    func wrongMethods() throws {
        let api = try makeAPI()
        let cases = [("GET", "/send"), ("GET", "/register"), ("GET", "/fetch"), ("GET", "/ack"),
                     ("GET", "/challenge_request"), ("PUT", "/send"), ("DELETE", "/register"), ("POST", "/health"),
                     ("POST", "/l/\(unknownLinkToken())")]
        for (method, path) in cases {
            let response = try api.http.request(method, path)
            expectError(response, 405, "\(method) \(path)")
            expectAPIHeaders(response)
        }
    }

    @Test("TRACE, which nginx refuses before SealDrop sees it, is a JSON 405 with Allow, echoing nothing")
    func traceIsAJSON405() throws {
        let api = try makeAPI()
        for path in ["/health", "/send", "/l/\(unknownLinkToken())", "/nope"] {
            let response = try api.http.request("TRACE", path, headers: [("Authorization", "Bearer trace-echo-probe")])
            expectError(response, 405, "TRACE \(path)")
            expectAPIHeaders(response)
            #expect(response.header("Allow") == "GET, HEAD, POST, OPTIONS", "TRACE \(path): \(response)")
            #expect(response.errorMessage == "Method TRACE is not allowed here")
            #expect(!response.text.contains("trace-echo-probe"))
        }
        // SealDrop's own 405 still passes through, with the path's own methods.
        let own = try api.http.request("DELETE", "/health")
        expectError(own, 405, "DELETE /health")
        #expect(own.header("Allow") == "GET, HEAD, OPTIONS" && own.header("X-Request-ID") != nil, "\(own)")
    }

    @Test("Success and error answers carry the JSON, no-store and nosniff headers")
    func standardHeaders() throws {
        let api = try makeAPI()
        let key = Base64.encode(SigningKeyPair().publicKey.bytes)
        let responses = [
            ("register 201", try api.register(publicKey: key)),
            ("register 400", try api.http.post("/register", text: "{")),
            ("fetch 401", try api.fetch(linkToken: try Recipient(client: api).linkToken, auth: .none)),
            ("link 404", try api.linkInfo(unknownLinkToken())),
            ("send 405", try api.http.get("/send")),
            ("send 413", try api.send(linkToken: unknownLinkToken(), ciphertext: Base64.encode(randomBytes(17_000)))),
        ]
        for (name, response) in responses {
            #expect(response.status < 500, "\(name): \(response)")
            expectAPIHeaders(response)
        }
    }

    @Test("A request with Origin is allowed from any origin")
    func corsSimpleRequest() throws {
        let api = try makeAPI()
        let origin = "https://app.example.org"
        for response in [try api.http.get("/health", headers: [("Origin", origin)]),
                         try api.http.post("/send", text: "{", headers: [("Origin", origin)])] {
            // Flask-CORS with its defaults reflects the origin (adding Vary: Origin);
            // "*" allows the same origins. Both are accepted.
            let allowed = response.header("Access-Control-Allow-Origin")
            #expect(allowed == "*" || allowed == origin, "Access-Control-Allow-Origin is \(allowed ?? "missing")")
            if allowed == origin {
                #expect(response.header("Vary")?.lowercased().contains("origin") == true, "reflected origin without Vary")
            }
        }
    }

    @Test("A CORS preflight is answered with the allowed methods and headers")
    func corsPreflight() throws {
        let api = try makeAPI()
        let origin = "https://app.example.org"
        for path in ["/send", "/fetch", "/register", "/l/\(unknownLinkToken())"] {
            let response = try api.http.request("OPTIONS", path, headers: [
                ("Origin", origin), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "Content-Type, Authorization"),
            ])
            #expect(response.status == 200 || response.status == 204, "OPTIONS \(path): \(response)")
            let allowed = response.header("Access-Control-Allow-Origin")
            #expect(allowed == "*" || allowed == origin, "OPTIONS \(path): Allow-Origin \(allowed ?? "missing")")
            let methods = response.header("Access-Control-Allow-Methods")?.uppercased() ?? ""
            #expect(methods.contains("POST") || methods == "*", "OPTIONS \(path): Allow-Methods \(methods)")
            let headers = response.header("Access-Control-Allow-Headers")?.lowercased() ?? ""
            #expect((headers.contains("content-type") && headers.contains("authorization")) || headers == "*",
                "OPTIONS \(path): Allow-Headers \(headers)")
        }
    }

    @Test("Malformed HTTP is refused without harming the server")
    func malformedHTTP() throws {
        let api = try makeAPI()
        let garbage: [[UInt8]] = [
            Array("GARBAGE\r\n\r\n".utf8),
            Array("POST /send HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n".utf8),
            Array("POST /send HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n".utf8),
        ]
        for request in garbage {
            let response = try api.http.raw(request)
            #expect((400..<500).contains(response.status), "malformed request answered \(response)")
        }
        // A body shorter than its Content-Length: the front or the responder must
        // give up (4xx, or a timeout on our side), never answer 2xx.
        let short = try HTTPClient(baseURL: api.http.baseURL, timeout: 5)
        if let response = try? short.request("POST", "/send", headers: [("Content-Type", "application/json")],
                                             body: Array("{\"link_token\":".utf8), contentLength: 500) {
            #expect(!(200..<300).contains(response.status), "truncated body answered \(response)")
        }
        try api.expect(api.http.get("/health"), 200, "GET /health after malformed requests")
    }
}
