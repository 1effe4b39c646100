import Foundation

/// Parses the complete bytes of one HTTP/1.1 response (the connection was read to EOF).
enum HTTPResponseParser {
    static func parse(_ bytes: [UInt8]) throws -> HTTPResponse {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: 0) else {
            throw HTTPClientError("response without a complete header (\(bytes.count) bytes received)")
        }
        let head = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw HTTPClientError("bad status line: \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw HTTPClientError("bad header line: \(line)")
            }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
        }
        let rest = Array(bytes[(headEnd + 4)...])
        let response = HTTPResponse(status: status, headers: headers, body: [])
        let body: [UInt8]
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            body = try dechunk(rest)
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0, length <= rest.count else {
                throw HTTPClientError("Content-Length \(lengthText) but \(rest.count) body bytes received")
            }
            body = Array(rest[0..<length])
        } else {
            body = rest
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// Decodes a chunked body (chunk extensions and trailers are ignored).
    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        var position = 0
        while true {
            guard let lineEnd = find([13, 10], in: bytes, from: position) else {
                throw HTTPClientError("truncated chunked body")
            }
            let sizeLine = String(decoding: bytes[position..<lineEnd], as: UTF8.self)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw HTTPClientError("bad chunk size line: \(sizeLine)")
            }
            position = lineEnd + 2
            if size == 0 { return body }
            guard position + size + 2 <= bytes.count else { throw HTTPClientError("truncated chunk") }
            body += bytes[position..<(position + size)]
            position += size + 2
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
