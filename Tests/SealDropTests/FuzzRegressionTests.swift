// The fuzz harness and the replay of what the fuzzer found, in one file so both
// drive SealDrop the same way. Fuzz/fuzz.sh compiles this file into the libFuzzer
// binary with -D SEALDROP_FUZZER, which leaves out the tests below.
#if !SEALDROP_FUZZER
import Foundation
import Testing
#endif
import FastCGI
import Sodium
@testable import SealDrop

/// Turns fuzzer bytes into FastCGI requests, answers them through the public
/// path (``ResponderHandler`` on a ``BufferedExchange``) with the database
/// replaced at the store boundary by ``InMemoryStore``, and checks each answer.
///
/// Input: up to 8 requests separated by a line `----`. Each is `NAME=VALUE`
/// parameter lines (`REQUEST_METHOD`, `DOCUMENT_URI`, `HTTP_AUTHORIZATION`, …),
/// a blank line, then the body. `CONTENT_LENGTH` defaults to the body's size.
enum FuzzHarness {
    /// Two links every input starts with, so requests reach past the link lookup
    /// and, with `Authorization: Bearer <fetch token>`, past authentication.
    static let recipientLink = "link_RnV6enJlY2lwaWVudGxpbmt0b2tlbjAx"
    static let senderLink = "link_RnV6enNlbmRlcmxpbmt0b2tlbjAwMDAx"
    static let recipientFetchToken = "fuzz-recipient-fetch-token"
    static let senderFetchToken = "fuzz-sender-fetch-token"
    /// RFC 8032's first test key, a valid Ed25519 point.
    static let publicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

    /// What a request may be answered with when the store works.
    static let allowedStatuses: Set<Int> = [200, 201, 204, 400, 401, 403, 404, 405, 413, 429]
    static let maxRequests = 8

    struct Request {
        var parameters: [String: String]
        var body: [UInt8]
    }

    static func requests(from data: [UInt8]) -> [Request] {
        split(data, on: Array("\n----\n".utf8)).prefix(maxRequests).map(request(from:))
    }

    private static func request(from chunk: ArraySlice<UInt8>) -> Request {
        let parts = split(chunk, on: [10, 10], limit: 1)
        var parameters: [String: String] = [:]
        for line in split(parts[0], on: [10]) {
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            parameters[text(line[line.startIndex..<equals])] = text(line[(equals + 1)...])
        }
        let body = parts.count > 1 ? Array(parts[1]) : []
        if parameters["CONTENT_LENGTH"] == nil, !body.isEmpty { parameters["CONTENT_LENGTH"] = String(body.count) }
        return Request(parameters: parameters, body: body)
    }

    /// FastCGI parameters are C strings: they end at the first NUL.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func split(_ bytes: ArraySlice<UInt8>, on separator: [UInt8], limit: Int = .max) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index + separator.count <= bytes.endIndex, pieces.count < limit {
            if bytes[index..<(index + separator.count)].elementsEqual(separator) {
                pieces.append(bytes[start..<index])
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        pieces.append(bytes[start...])
        return pieces
    }

    private static func split(_ bytes: [UInt8], on separator: [UInt8]) -> [ArraySlice<UInt8>] {
        split(bytes[...], on: separator)
    }

    /// A fresh application on a fresh store holding the two links, a message for
    /// the recipient and a pending permission request from the sender.
    static func makeHandler() -> ResponderHandler {
        let store = InMemoryStore()
        for (link, token) in [(recipientLink, recipientFetchToken), (senderLink, senderFetchToken)] {
            _ = try? store.insertClient(NewClient(
                linkToken: link, publicKey: publicKey, publicKeyHash: SHA256.hexDigest(utf8: publicKey),
                keyType: "ed25519", displayName: "fuzz", fetchTokenHash: SHA256.hexDigest(utf8: token),
                encryptionPublicKey: nil))
        }
        let limits = MailboxLimits(maxUnseenMessages: 100, maxUnseenBytes: 1 << 20, sendsPerWindow: 0, windowSeconds: 60)
        _ = try? store.insertMessage(NewMessage(linkToken: recipientLink, encryptedMessage: String(repeating: "A", count: 64),
                                                metadataJSON: #"{"n":1}"#), limits: limits)
        var configuration = Configuration()
        _ = try? store.requestPermission(from: senderLink, to: recipientLink, nickname: "fuzz", bounds: PermissionRequestBounds(
            maxOpenPerLink: configuration.abuse.linkOpenRequests, rejectionWaitSeconds: configuration.retention.rejectionWaitSeconds,
            pendingSeconds: configuration.retention.messageSeconds, address: nil))
        configuration.baseURL = "https://drop.example"
        configuration.purgeIntervalSeconds = 0
        return ResponderHandler(application: Application(configuration: configuration, store: store), workerIndex: 0)
    }

    /// Answers every request of `data`; returns what was wrong with the answers
    /// (empty when all were well-formed).
    static func run(_ data: [UInt8]) -> [String] {
        answer(requests(from: data))
    }

    /// Answers `requests` in turn on one fresh store; returns what was wrong with the answers.
    static func answer(_ requests: [Request]) -> [String] {
        let handler = makeHandler()
        var problems: [String] = []
        for (index, request) in requests.enumerated() {
            let exchange = BufferedExchange(parameters: request.parameters, body: request.body)
            handler.handle(exchange)
            handler.afterResponse()
            let method = request.parameters["REQUEST_METHOD"]?.uppercased() ?? "GET"
            if let problem = check(exchange.written, method: method) {
                problems.append("request \(index + 1) (\(method) \(request.parameters["DOCUMENT_URI"] ?? "-")): \(problem)")
            }
        }
        return problems
    }

    /// What is wrong with one CGI response, or nil: a known status, the headers
    /// every answer carries, a matching Content-Length, and a JSON object body
    /// (with an `error` sentence for errors) unless the answer has no body.
    static func check(_ written: [UInt8], method: String) -> String? {
        guard let end = firstIndex(of: [13, 10, 13, 10], in: written) else { return "no end of headers" }
        let lines = split(written[..<end], on: [13, 10]).map { String(decoding: $0, as: UTF8.self) }
        let body = Array(written[(end + 4)...])
        guard lines[0].hasPrefix("Status: "), let status = Int(lines[0].dropFirst(8).prefix(3)) else {
            return "bad status line \(lines[0])"
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return "bad header line \(line)" }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        guard allowedStatuses.contains(status) else { return "status \(status): \(String(decoding: body, as: UTF8.self))" }
        guard headers["content-length"] == String(body.count) else {
            return "Content-Length \(headers["content-length"] ?? "missing") for \(body.count) bytes"
        }
        guard headers["cache-control"] == "no-store", headers["x-content-type-options"] == "nosniff",
              headers["x-request-id"]?.isEmpty == false else {
            return "missing Cache-Control, X-Content-Type-Options or X-Request-ID"
        }
        if status == 405, headers["allow"] == nil { return "405 without Allow" }
        if status == 429, (headers["retry-after"].flatMap { Int($0) } ?? 0) < 1 { return "429 without Retry-After" }
        if method == "HEAD" || status == 204 { return body.isEmpty ? nil : "\(status) to \(method) has a body" }
        guard headers["content-type"] == "application/json" else { return "Content-Type \(headers["content-type"] ?? "missing")" }
        guard let json = try? JSONParser.parse(body), case .object = json else { return "body is not a JSON object" }
        guard status >= 400 else { return nil }
        guard case .string(let sentence)? = json["error"], !sentence.isEmpty else { return "error without an error sentence" }
        return nil
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

#if !SEALDROP_FUZZER
/// Replays every input under Regressions/ (crashes `make fuzz` found, and
/// hand-made inputs for paths that once went wrong) in the normal test run.
@Suite struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Regressions")

    static func inputs() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func regressionInputsExist() throws {
        #expect(try Self.inputs().count >= 5, "expected the regression inputs in \(Self.directory.path)")
    }

    /// Inputs named `fields-…` come from the field fuzzer (``FieldFuzzHarness``).
    @Test(arguments: try inputs())
    func replay(_ input: URL) throws {
        let data = try [UInt8](Data(contentsOf: input))
        let isFieldInput = input.lastPathComponent.hasPrefix(FieldFuzzHarness.artifactPrefix)
        #expect(isFieldInput || !FuzzHarness.requests(from: data).isEmpty)
        let problems = isFieldInput ? FieldFuzzHarness.run(data) : FuzzHarness.run(data)
        #expect(problems.isEmpty, "\(input.lastPathComponent): \(problems.joined(separator: "; "))")
    }

    @Test func harnessNoticesABrokenResponse() {
        func written(_ response: HTTPResponse, id: Bool = true) -> [UInt8] {
            var response = response
            if id { response.headers.append(("X-Request-ID", "1-0-1")) }
            return response.serialized()
        }
        #expect(FuzzHarness.check(written(APIError.badRequest("x").response()), method: "POST") == nil)
        #expect(FuzzHarness.check(written(APIError.badRequest("x").response(), id: false), method: "POST")?
            .hasPrefix("missing") == true)
        let noError = HTTPResponse(status: .badRequest, json: Array("{}".utf8))
        #expect(FuzzHarness.check(written(noError), method: "POST") == "error without an error sentence")
        let serverError = APIError.internalError("boom").response()
        #expect(FuzzHarness.check(written(serverError), method: "POST")?.hasPrefix("status 500") == true)
        #expect(FuzzHarness.check(written(APIError.badRequest("x").response()), method: "HEAD") == "400 to HEAD has a body")
    }

    @Test func bearerReachesTheRecipientsMessages() {
        let input = "REQUEST_METHOD=POST\nDOCUMENT_URI=/fetch\nHTTP_AUTHORIZATION=Bearer \(FuzzHarness.recipientFetchToken)\n\n"
            + #"{"link_token":"\#(FuzzHarness.recipientLink)"}"#
        let handler = FuzzHarness.makeHandler()
        let request = FuzzHarness.requests(from: Array(input.utf8))[0]
        let exchange = BufferedExchange(parameters: request.parameters, body: request.body)
        handler.handle(exchange)
        let text = String(decoding: exchange.written, as: UTF8.self)
        #expect(text.hasPrefix("Status: 200 OK\r\n"), "\(text)")
        #expect(text.contains(#""count":1"#), "\(text)")
    }
}
#endif
