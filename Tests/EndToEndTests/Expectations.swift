import Foundation
import Sodium
import Testing
import TestSupport

// Shared assertions and inputs of the end-to-end suites.

/// The API client for the main test stack (fails the test when the env is missing).
func makeAPI() throws -> SealDropClient {
    try TestEnvironment.sealDropClient()
}

/// Asserts the headers every SealDrop response carries (design.md, "API contract").
func expectAPIHeaders(_ response: HTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.isJSON, "Content-Type is \(response.header("Content-Type") ?? "missing")",
        sourceLocation: sourceLocation)
    #expect(response.header("Cache-Control")?.lowercased().contains("no-store") == true,
        "Cache-Control is \(response.header("Cache-Control") ?? "missing")", sourceLocation: sourceLocation)
    #expect(response.header("X-Content-Type-Options")?.lowercased() == "nosniff",
        "X-Content-Type-Options is \(response.header("X-Content-Type-Options") ?? "missing")",
        sourceLocation: sourceLocation)
}

/// Asserts an error answer: the status, a JSON content type, and a body
/// `{"error": "<non-empty sentence>"}`.
func expectError(
    _ response: HTTPResponse, _ status: Int, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, "\(what): expected \(status), got \(response)", sourceLocation: sourceLocation)
    #expect(response.isJSON, "\(what): Content-Type is \(response.header("Content-Type") ?? "missing")",
        sourceLocation: sourceLocation)
    let message = response.errorMessage ?? ""
    #expect(!message.isEmpty, "\(what): body has no non-empty \"error\" string: \(response)",
        sourceLocation: sourceLocation)
}

/// Asserts a `Retry-After` header holding a positive number of seconds.
func expectRetryAfter(_ response: HTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    let value = response.header("Retry-After")
    #expect(value.flatMap { Int($0) }.map { $0 > 0 } == true,
        "Retry-After is \(value ?? "missing")", sourceLocation: sourceLocation)
}

/// `count` random bytes (not secret; test inputs only).
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}

/// A link token of the right shape that no registration produced.
func unknownLinkToken() -> String {
    "link_" + Base64.encodeURLSafeNoPadding(randomBytes(24))
}

/// Whether `text` matches the whole of `pattern`.
func matches(_ text: String, _ pattern: String) -> Bool {
    text.range(of: "^\(pattern)$", options: .regularExpression) != nil
}

/// Parses a server timestamp: ISO 8601, UTC, with or without fraction and zone
/// designator (the original server sent naive UTC such as `2025-11-08T01:00:00`).
func parseTimestamp(_ text: String) -> Date? {
    let pattern = #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)?"#
    guard matches(text, pattern) else { return nil }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
    return formatter.date(from: String(text.prefix(19)))
}

/// Asserts that `text` is a UTC ISO 8601 time within ten minutes of now
/// (catches local-time and epoch mistakes; the stack runs on this machine).
func expectRecentTimestamp(_ text: String?, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let text, let date = parseTimestamp(text) else {
        Issue.record("not an ISO 8601 UTC timestamp: \(text ?? "missing")", sourceLocation: sourceLocation)
        return
    }
    #expect(abs(date.timeIntervalSinceNow) < 600, "timestamp \(text) is not near now (UTC)",
        sourceLocation: sourceLocation)
}

/// `text` with the standard base64 characters `+` `/` replaced by the url-safe `-` `_`.
func urlSafe(_ text: String) -> String {
    String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
}

/// `text` without the ASCII whitespace (space, tab, CR, LF) SealDrop ignores in
/// base64 fields, as the server reads it.
func unwrapped(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) }))
}
