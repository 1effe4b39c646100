import FastCGI
import Testing
@testable import SealDrop

@Suite struct RoutingTests {
    @Test func resolvesPathsBehindEachFront() {
        // nginx
        var exchange = BufferedExchange(parameters: ["DOCUMENT_URI": "/register", "REQUEST_URI": "/register?x=1"])
        #expect(RequestReader.resolvePath(RequestReader.Parameters(exchange)) == ("/register", ""))
        // Apache, rewrite to the .fcgi file in a sub-folder
        exchange = BufferedExchange(parameters: ["PATH_INFO": "/l/link_abc", "SCRIPT_NAME": "/drop/sealdrop.fcgi",
                                                 "REQUEST_URI": "/drop/l/link_abc"])
        #expect(RequestReader.resolvePath(RequestReader.Parameters(exchange)) == ("/l/link_abc", "/drop"))
        // Only REQUEST_URI
        exchange = BufferedExchange(parameters: ["REQUEST_URI": "/~user/drop/send?a=b", "PATH_INFO": "/send"])
        #expect(RequestReader.resolvePath(RequestReader.Parameters(exchange)) == ("/send", "/~user/drop"))
    }

    @Test func matchesRoutesAndMethods() {
        guard case .found(let route) = Router.match(method: "GET", path: "/l/link_abc") else {
            Issue.record("no match"); return
        }
        #expect(route.name == "/l/{link_token}")
        guard case .wrongMethod(let allowed) = Router.match(method: "GET", path: "/send") else {
            Issue.record("GET /send should be 405"); return
        }
        #expect(allowed.contains("POST"))
        if case .found = Router.match(method: "GET", path: "/l/") { Issue.record("empty token matched") }
        if case .found = Router.match(method: "GET", path: "/l/a/b") { Issue.record("nested path matched") }
        if case .found = Router.match(method: "POST", path: "/nope") { Issue.record("unknown path matched") }
    }

    @Test func refusesOversizedBodyBeforeReading() {
        let exchange = BufferedExchange(parameters: ["REQUEST_METHOD": "POST", "DOCUMENT_URI": "/send",
                                                     "CONTENT_LENGTH": "70000"])
        #expect(throws: APIError.tooLarge("Request body too large (max 64KB)")) {
            try RequestReader(maxBodyBytes: 65536).read(exchange, parameters: RequestReader.Parameters(exchange))
        }
    }

    @Test func responsesCarryTheCommonHeaders() {
        let response = APIError.badRequest("x").response()
        let text = String(decoding: response.serialized(), as: UTF8.self)
        #expect(text.hasPrefix("Status: 400 Bad Request\r\n"))
        #expect(text.contains("Content-Type: application/json\r\n"))
        #expect(text.contains("Cache-Control: no-store\r\n"))
        #expect(text.contains("X-Content-Type-Options: nosniff\r\n"))
        #expect(text.hasSuffix("\r\n\r\n{\"error\":\"x\"}"))
    }
}

@Suite struct RequestIDTests {
    static let nginxID = "4f1c2a9e0b7d4e6f8a1b2c3d4e5f6a7b"

    private func id(header: String?, front: String?, from address: String = "203.0.113.9",
                    trusting proxies: [String] = []) -> String? {
        ResponderHandler.outsideRequestID(header: header, frontServer: front, remoteAddress: address, trustedProxies: proxies)
    }

    @Test func outsideIDsAreTakenOnlyWhenPlain() {
        #expect(ResponderHandler.plainToken(Self.nginxID) == Self.nginxID)
        for hostile in ["abc", "id with spaces and more", "line\nbreak-injected-here", String(repeating: "a", count: 65)] {
            #expect(ResponderHandler.plainToken(hostile) == nil)
            #expect(id(header: nil, front: hostile) == nil)
            #expect(id(header: hostile, front: nil, from: "10.0.0.1", trusting: ["10.0.0.1"]) == nil)
        }
    }

    @Test func aClientsHeaderCountsOnlyFromATrustedProxy() {
        // Anyone else could name another request's log line with it.
        #expect(id(header: "forged-request-0001", front: nil) == nil)
        #expect(id(header: "forged-request-0001", front: Self.nginxID) == Self.nginxID)
        #expect(id(header: "forged-request-0001", front: nil, trusting: ["10.0.0.1"]) == nil)
        // A trusted proxy named the request first; the front server's own id is next.
        #expect(id(header: "balancer-id-0001", front: Self.nginxID, from: "10.0.0.1", trusting: ["10.0.0.1"]) == "balancer-id-0001")
        #expect(id(header: nil, front: Self.nginxID, from: "10.0.0.1", trusting: ["10.0.0.1"]) == Self.nginxID)
        #expect(id(header: "bad id", front: Self.nginxID, from: "10.0.0.1", trusting: ["10.0.0.1"]) == Self.nginxID)
        #expect(id(header: nil, front: nil, from: "10.0.0.1", trusting: ["10.0.0.1"]) == nil)
    }
}
