// Compiled into the libFuzzer binary too (Fuzz/fuzz.sh, target `fields`).
#if !SEALDROP_FUZZER
import Testing
#endif
import FastCGI
@testable import SealDrop

/// Fuzzes every endpoint's field conversions rather than the JSON parser: the
/// input chooses a route, a proof and a list of fields, and the harness builds a
/// well-formed JSON body around them, so nearly every input reaches the code that
/// turns client values into numbers, lengths and indexes. The link is one the
/// store holds (``FuzzHarness/makeHandler()``), so requests get past the lookup,
/// and with a bearer proof past authentication.
///
/// Input: byte 0 picks the route, byte 1 the proof (none, the recipient's or the
/// sender's bearer token, or challenge fields), then NUL-separated fields: each a
/// byte picking the field's name, then its value. A value that is JSON goes in as
/// it is (`1e-9223372036854775808`, `[1,"2"]`, `{"a":…}`); anything else as a string.
enum FieldFuzzHarness {
    /// Crashing inputs of this target are saved (and replayed) under this prefix.
    static let artifactPrefix = "fields-"

    static let routes = ["/fetch", "/ack", "/delete_messages", "/send", "/register", "/challenge_request",
                         "/check_contact", "/request_message_permission", "/get_message_requests",
                         "/respond_message_request", "/unregister", "/rotate_fetch_token"]

    /// Every field any endpoint reads.
    static let fieldNames = ["link_token", "limit", "before_id", "since_id", "order", "include_seen", "next_challenge",
                             "message_ids", "request_id", "action", "encrypted_message", "metadata", "from_link_token",
                             "from_nickname", "to_link_token", "public_key", "display_name", "encryption_public_key",
                             "challenge", "challenge_signature", "nickname", "key_type"]

    static func request(from data: [UInt8]) -> FuzzHarness.Request {
        let route = routes[Int(data.first ?? 0) % routes.count]
        let proof = data.count > 1 ? data[1] % 4 : 0
        var members: [(String, String)] = [("link_token", quoted(FuzzHarness.recipientLink))]
        if proof == 3 {
            members.append(("challenge", quoted(String(repeating: "A", count: 43) + "=")))
            members.append(("challenge_signature", quoted(String(repeating: "A", count: 86) + "==")))
        }
        for piece in data.dropFirst(2).split(separator: 0, omittingEmptySubsequences: true) {
            let name = fieldNames[Int(piece[piece.startIndex]) % fieldNames.count]
            let value = Array(piece.dropFirst())
            let text = String(decoding: value, as: UTF8.self)
            let isJSON = (try? JSONParser.parse(value)) != nil
            members.append((name, isJSON ? text : quoted(text)))
        }
        let body = "{" + members.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        var parameters = ["REQUEST_METHOD": "POST", "DOCUMENT_URI": route, "REQUEST_URI": route,
                          "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": String(body.utf8.count)]
        switch proof {
        case 1: parameters["HTTP_AUTHORIZATION"] = "Bearer " + FuzzHarness.recipientFetchToken
        case 2: parameters["HTTP_AUTHORIZATION"] = "Bearer " + FuzzHarness.senderFetchToken
        default: break
        }
        return FuzzHarness.Request(parameters: parameters, body: Array(body.utf8))
    }

    private static func quoted(_ text: String) -> String { JSONValue.string(text).serialized }

    /// Answers the input's request; returns what was wrong with the answer.
    static func run(_ data: [UInt8]) -> [String] {
        FuzzHarness.answer([request(from: data)])
    }
}

#if !SEALDROP_FUZZER
@Suite struct FieldFuzzHarnessTests {
    private func input(route: String, proof: UInt8, _ fields: [(String, String)]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(FieldFuzzHarness.routes.firstIndex(of: route)!), proof]
        for (name, value) in fields {
            bytes += [0, UInt8(FieldFuzzHarness.fieldNames.firstIndex(of: name)!)] + Array(value.utf8)
        }
        return bytes
    }

    @Test func buildsTheBodyAroundTheFields() {
        let request = FieldFuzzHarness.request(from: input(route: "/fetch", proof: 1, [("limit", "1e-5"), ("order", "up")]))
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body == #"{"link_token":"\#(FuzzHarness.recipientLink)","limit":1e-5,"order":"up"}"#)
        #expect(request.parameters["HTTP_AUTHORIZATION"] == "Bearer " + FuzzHarness.recipientFetchToken)
        #expect(request.parameters["DOCUMENT_URI"] == "/fetch")
    }

    /// The body that took the responder down in issue 11 reaches the conversion
    /// through this harness, past the link lookup and the proof.
    @Test(arguments: ["limit", "before_id", "since_id", "message_ids", "request_id"])
    func hostileNumbersAreAnsweredWell(field: String) {
        let value = field == "message_ids" ? "[1e-9223372036854775808]" : "1e-9223372036854775808"
        for route in ["/fetch", "/ack", "/delete_messages", "/respond_message_request"] {
            let data = input(route: route, proof: 1, [(field, value)])
            #expect(FieldFuzzHarness.run(data).isEmpty, "\(route) \(field)")
        }
    }

    /// The harness gets past the link lookup and the proof: a bearer fetch is a 200.
    @Test func bearerFetchSucceeds() {
        let request = FieldFuzzHarness.request(from: input(route: "/fetch", proof: 1, [("limit", "2")]))
        let exchange = BufferedExchange(parameters: request.parameters, body: request.body)
        FuzzHarness.makeHandler().handle(exchange)
        let text = String(decoding: exchange.written, as: UTF8.self)
        #expect(text.hasPrefix("Status: 200 OK\r\n"), "\(text)")
    }
}
#endif
