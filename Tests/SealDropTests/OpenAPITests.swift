import Foundation
import Testing
@testable import SealDrop

/// openapi.yaml is a valid OpenAPI 3.1 document, names exactly the routes the
/// router has, and declares the statuses and headers SealDrop really answers with.
/// (scripts/schemathesis.sh also runs openapi-spec-validator and tests a live server.)
@Suite struct OpenAPITests {
    static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../openapi.yaml").standardized.path
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    let spec: YAML

    init() throws {
        let text = try String(contentsOfFile: Self.specPath, encoding: .utf8)
        spec = try YAMLSubset.parse(text)
    }

    /// Every operation as (METHOD, path, operation object).
    var operations: [(method: String, path: String, operation: YAML)] {
        (spec["paths"]?.members ?? []).flatMap { path, item in
            (item.members ?? []).filter { Self.methods.contains($0.0) }.map { ($0.0.uppercased(), path, $0.1) }
        }
    }

    @Test func isAnOpenAPI31Document() throws {
        #expect(spec["openapi"]?.string?.hasPrefix("3.1.") == true)
        #expect(spec["info"]?["title"]?.string?.isEmpty == false)
        #expect(spec["info"]?["version"]?.string?.isEmpty == false)
        let paths = try #require(spec["paths"]?.members)
        #expect(!paths.isEmpty)
        var operationIDs: Set<String> = []
        for (path, item) in paths {
            #expect(path.hasPrefix("/"), "path \(path)")
            for (key, _) in item.members ?? [] {
                #expect(Self.methods.contains(key) || ["parameters", "summary", "description"].contains(key), "\(path): \(key)")
            }
        }
        for (method, path, operation) in operations {
            let where_ = "\(method) \(path)"
            if let id = operation["operationId"]?.string { #expect(operationIDs.insert(id).inserted, "duplicate operationId \(id)") }
            let responses = try #require(operation["responses"]?.members, "\(where_) has no responses")
            #expect(!responses.isEmpty, "\(where_) has no responses")
            for (status, response) in responses {
                #expect(status == "default" || (Int(status).map { (100...599).contains($0) } ?? false), "\(where_): status \(status)")
                let resolved = try resolve(response)
                #expect(resolved["description"]?.string != nil, "\(where_) \(status) lacks a description")
            }
            // Path templates and path parameters name each other.
            let templated = Set(path.split(separator: "{").dropFirst().compactMap { $0.split(separator: "}").first.map(String.init) })
            let declared = try Set((operation["parameters"]?.items ?? []).map { try resolve($0) }
                .filter { $0["in"]?.string == "path" }
                .map { parameter in
                    #expect(parameter["required"] == .bool(true), "\(where_): path parameter must be required")
                    return parameter["name"]?.string ?? ""
                })
            #expect(templated == declared, "\(where_): template \(templated) vs parameters \(declared)")
            for requirement in operation["security"]?.items ?? [] {
                for (scheme, _) in requirement.members ?? [] {
                    #expect(spec["components"]?["securitySchemes"]?[scheme] != nil, "\(where_): unknown security scheme \(scheme)")
                }
            }
        }
        for (name, scheme) in spec["components"]?["securitySchemes"]?.members ?? [] {
            #expect(["apiKey", "http", "oauth2", "openIdConnect", "mutualTLS"].contains(scheme["type"]?.string ?? ""), "scheme \(name)")
        }
    }

    @Test func everyReferenceResolvesAndEverySchemaTypeIsKnown() throws {
        var references: [String] = []
        var types: [String] = []
        func walk(_ node: YAML) {
            switch node {
            case .object(let members):
                for (key, value) in members {
                    if key == "$ref", let target = value.string { references.append(target) }
                    if key == "type", let name = value.string { types.append(name) }
                    if key == "type", let names = value.items { types += names.compactMap(\.string) }
                    walk(value)
                }
            case .array(let items): items.forEach(walk)
            default: break
            }
        }
        walk(spec)
        #expect(references.count > 50)
        for reference in Set(references) {
            #expect(throws: Never.self, "\(reference)") { _ = try resolve(.object([("$ref", .string(reference))])) }
        }
        let known: Set<String> = ["object", "array", "string", "integer", "number", "boolean", "null", "http"]
        for type in types { #expect(known.contains(type), "unknown type \(type)") }
    }

    @Test func routesAndOperationsMatch() {
        let routes = Set(Router.routes.map { "\($0.method) \($0.name)" })
        let documented = Set(operations.map { "\($0.method) \($0.path)" })
        #expect(routes.subtracting(documented).isEmpty, "routes missing from openapi.yaml: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "operations the router lacks: \(documented.subtracting(routes).sorted())")
        #expect(routes.count == Router.routes.count)
    }

    @Test func everyResponseDeclaresTheCommonHeaders() throws {
        var responses = try operations.flatMap { method, path, operation in
            try (operation["responses"]?.members ?? []).map { ("\(method) \(path) \($0.0)", $0.0, try resolve($0.1)) }
        }
        responses += (spec["components"]?["responses"]?.members ?? []).map { ("component \($0.0)", "", $0.1) }
        for (name, status, response) in responses {
            let headers = try (response["headers"]?.members ?? []).map { ($0.0, try resolve($0.1)) }
            for required in ["Cache-Control", "X-Content-Type-Options"] {
                #expect(headers.contains { $0.0 == required && $0.1["required"] == .bool(true) }, "\(name) lacks \(required)")
            }
            // Not required: a 413 the front server gives on its own has none.
            #expect(headers.contains { $0.0 == "X-Request-ID" }, "\(name) lacks X-Request-ID")
            if status == "429" || status == "503" {
                #expect(headers.contains { $0.0 == "Retry-After" }, "\(name) lacks Retry-After")
            }
            if let code = Int(status), code >= 400 {
                let schema = response["content"]?["application/json"]?["schema"]?["$ref"]?.string
                #expect(schema == "#/components/schemas/Error", "\(name) body is not the Error schema")
            }
        }
        let notAllowed = try #require(spec["components"]?["responses"]?["MethodNotAllowed"])
        #expect(notAllowed["headers"]?["Allow"] != nil)
        let error = try #require(spec["components"]?["schemas"]?["Error"])
        #expect(error["required"] == .array([.string("error")]))
        #expect(error["properties"]?["action_required"] != nil)
    }

    /// Each operation's answers to empty, malformed and empty-object requests are
    /// statuses it declares (driven through the application on an in-memory store).
    @Test func implementedErrorStatusesAreDeclared() throws {
        let store = InMemoryStore()
        let application = try Application.testing(on: store)
        for (method, path, operation) in operations {
            let declared = Set((operation["responses"]?.members ?? []).compactMap { Int($0.0) })
            let concrete = path.replacingOccurrences(of: "{link_token}", with: "link_unknown")
            var outcomes: [(String, Int)] = []
            for body in ["", "{", "[]", "{}", #"{"link_token":"link_unknown"}"#] where method == "POST" || body.isEmpty {
                let request = HTTPRequest(method: method, path: concrete, body: Array(body.utf8))
                outcomes.append((body, application.respond(to: request).response.status.code))
            }
            store.available = false
            outcomes.append(("(database down)", application.respond(to: HTTPRequest(method: method, path: concrete)).response.status.code))
            store.available = true
            for (body, status) in outcomes {
                #expect(declared.contains(status), "\(method) \(path) with \(body) answered \(status), not declared in \(declared.sorted())")
            }
        }
    }

    private func resolve(_ node: YAML) throws -> YAML {
        guard let reference = node["$ref"]?.string else { return node }
        guard reference.hasPrefix("#/") else { throw YAMLSubset.Failure(line: 0, reason: "non-local $ref \(reference)") }
        var target: YAML? = spec
        for part in reference.dropFirst(2).split(separator: "/") {
            target = target?[part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
        guard let target else { throw YAMLSubset.Failure(line: 0, reason: "unresolved $ref \(reference)") }
        return try resolve(target)
    }
}

/// A parsed YAML value; objects keep their order.
indirect enum YAML: Equatable {
    case null, bool(Bool), int(Int64), number(Double), string(String)
    case array([YAML]), object([(String, YAML)])

    static func == (lhs: YAML, rhs: YAML) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a.elementsEqual(b) { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    subscript(key: String) -> YAML? { members?.first { $0.0 == key }?.1 }
    var members: [(String, YAML)]? { if case .object(let m) = self { return m }; return nil }
    var items: [YAML]? { if case .array(let a) = self { return a }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
}

/// Reads the subset of YAML that openapi.yaml keeps to: block mappings and
/// sequences (`- key: value` items), plain and quoted scalars, `|` blocks, one-line
/// flow lists and maps, `#` comments. Anything else, and plain scalars that YAML 1.1
/// readers (PyYAML) would type differently (`yes`, `2026-01-01`, `012`), is an
/// error, so the spec cannot drift into YAML this reader and other tools disagree on.
enum YAMLSubset {
    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "openapi.yaml line \(line): \(reason)" }
    }

    static func parse(_ text: String) throws -> YAML {
        var parser = Parser(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        parser.skipInsignificant()
        let value = try parser.block(indent: 0)
        parser.skipInsignificant()
        guard parser.index == parser.lines.count else { throw parser.fail("unexpected content") }
        return value
    }

    private struct Parser {
        var lines: [String]
        var index = 0

        func fail(_ reason: String) -> Failure { Failure(line: index + 1, reason: reason) }

        static func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        static func isInsignificant(_ line: String) -> Bool {
            let trimmed = line.drop { $0 == " " }
            return trimmed.isEmpty || trimmed.hasPrefix("#")
        }
        static func isItem(_ content: Substring) -> Bool { content == "-" || content.hasPrefix("- ") }

        mutating func skipInsignificant() {
            while index < lines.count, Self.isInsignificant(lines[index]) { index += 1 }
        }

        mutating func block(indent: Int) throws -> YAML {
            guard !lines[index].contains("\t") else { throw fail("tab character") }
            return Self.isItem(lines[index].dropFirst(indent)) ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        mutating func mapping(indent: Int) throws -> YAML {
            var members: [(String, YAML)] = []
            while true {
                skipInsignificant()
                guard index < lines.count, Self.indentation(lines[index]) >= indent else { break }
                guard Self.indentation(lines[index]) == indent else { throw fail("unexpected indentation") }
                let content = lines[index].dropFirst(indent)
                guard !Self.isItem(content) else { throw fail("sequence item where a key was expected") }
                guard let (key, rest) = try splitKey(content) else { throw fail("expected `key: value`") }
                guard !members.contains(where: { $0.0 == key }) else { throw fail("duplicate key \(key)") }
                index += 1
                members.append((key, try value(after: rest, indent: indent)))
            }
            return .object(members)
        }

        mutating func sequence(indent: Int) throws -> YAML {
            var items: [YAML] = []
            while true {
                skipInsignificant()
                guard index < lines.count, Self.indentation(lines[index]) == indent,
                      Self.isItem(lines[index].dropFirst(indent)) else { break }
                let afterDash = lines[index].dropFirst(indent + 1)
                let rest = afterDash.drop { $0 == " " }
                if rest.isEmpty || rest.hasPrefix("#") {
                    index += 1
                    items.append(try value(after: "", indent: indent))
                } else if !rest.hasPrefix("{"), !rest.hasPrefix("["), try splitKey(rest) != nil {
                    // `- key: value` opens a mapping whose keys line up with `key`.
                    let column = indent + 1 + (afterDash.count - rest.count)
                    lines[index] = String(repeating: " ", count: column) + rest
                    items.append(try mapping(indent: column))
                } else {
                    index += 1
                    items.append(try inline(rest))
                }
            }
            return .array(items)
        }

        /// `key: rest` (the key plain or quoted), or nil when the text is no key.
        func splitKey(_ content: Substring) throws -> (String, Substring)? {
            var scanner = Scanner(Array(content))
            let key: String
            if content.hasPrefix("'") || content.hasPrefix("\"") {
                key = try scanner.quoted(line: index + 1)
            } else {
                while let c = scanner.peek, !(c == ":" && (scanner.peek(1) == nil || scanner.peek(1) == " ")) {
                    if scanner.position == 0, c == "[" || c == "{" || c == "#" { return nil }
                    if c == "#", scanner.characters[scanner.position - 1] == " " { return nil }
                    scanner.position += 1
                }
                key = String(scanner.characters[0..<scanner.position])
                if case .string = try YAMLSubset.resolvePlain(key) {} else { throw fail("quote the key \(key)") }
            }
            guard scanner.peek == ":", scanner.peek(1) == nil || scanner.peek(1) == " " else { return nil }
            return (key, Substring(String(scanner.characters[(scanner.position + 1)...])).drop { $0 == " " })
        }

        mutating func value(after rest: Substring, indent: Int) throws -> YAML {
            if rest.hasPrefix("|") {
                guard rest == "|" || rest == "|-" else { throw fail("only `|` and `|-` blocks are supported") }
                return .string(literalBlock(indent: indent, keepNewline: rest == "|"))
            }
            if !rest.isEmpty, !rest.hasPrefix("#") { return try inline(rest) }
            skipInsignificant()
            guard index < lines.count else { return .null }
            let next = Self.indentation(lines[index])
            return next > indent ? try block(indent: next) : .null
        }

        mutating func literalBlock(indent: Int, keepNewline: Bool) -> String {
            var collected: [String] = []
            var blockIndent: Int?
            while index < lines.count {
                let line = lines[index]
                if line.allSatisfy({ $0 == " " }) { collected.append(""); index += 1; continue }
                let level = Self.indentation(line)
                if level <= indent || level < (blockIndent ?? 0) { break }
                blockIndent = blockIndent ?? level
                collected.append(String(line.dropFirst(blockIndent!)))
                index += 1
            }
            while collected.last == "" { collected.removeLast() }
            return collected.joined(separator: "\n") + (keepNewline && !collected.isEmpty ? "\n" : "")
        }

        func inline(_ text: Substring) throws -> YAML {
            var scanner = Scanner(Array(text))
            let value = try scanner.flowValue(topLevel: true, line: index + 1)
            scanner.skipSpaces()
            guard scanner.peek == nil || scanner.peek == "#" else { throw fail("unexpected text after a value") }
            return value
        }
    }

    /// Characters of one line, for quoted scalars and flow collections.
    private struct Scanner {
        let characters: [Character]
        var position = 0

        init(_ characters: [Character]) { self.characters = characters }

        var peek: Character? { peek(0) }
        func peek(_ offset: Int) -> Character? {
            position + offset < characters.count ? characters[position + offset] : nil
        }
        mutating func skipSpaces() { while peek == " " { position += 1 } }

        mutating func quoted(line: Int) throws -> String {
            let quote = characters[position]
            position += 1
            var text = ""
            while let c = peek {
                position += 1
                if c == quote {
                    if quote == "'", peek == "'" { text.append("'"); position += 1; continue }
                    return text
                }
                if quote == "\"", c == "\\" {
                    guard let escaped = peek else { break }
                    position += 1
                    switch escaped {
                    case "n": text.append("\n")
                    case "t": text.append("\t")
                    case "\"", "\\", "/": text.append(escaped)
                    default: throw Failure(line: line, reason: "unsupported escape \\\(escaped)")
                    }
                    continue
                }
                text.append(c)
            }
            throw Failure(line: line, reason: "unterminated quoted scalar")
        }

        mutating func flowValue(topLevel: Bool, line: Int) throws -> YAML {
            skipSpaces()
            switch peek {
            case "'", "\"": return .string(try quoted(line: line))
            case "[", "{":
                let closing: Character = peek == "[" ? "]" : "}"
                let isMap = closing == "}"
                position += 1
                var items: [YAML] = []
                var members: [(String, YAML)] = []
                skipSpaces()
                if peek == closing { position += 1; return isMap ? .object([]) : .array([]) }
                while true {
                    if isMap {
                        guard case .string(let key) = try flowValue(topLevel: false, line: line) else {
                            throw Failure(line: line, reason: "flow map key must be a string")
                        }
                        skipSpaces()
                        guard peek == ":" else { throw Failure(line: line, reason: "expected : in a flow map") }
                        position += 1
                        members.append((key, try flowValue(topLevel: false, line: line)))
                    } else {
                        items.append(try flowValue(topLevel: false, line: line))
                    }
                    skipSpaces()
                    if peek == "," { position += 1; continue }
                    guard peek == closing else { throw Failure(line: line, reason: "unterminated flow collection") }
                    position += 1
                    return isMap ? .object(members) : .array(items)
                }
            default:
                let start = position
                while let c = peek {
                    if !topLevel, c == "," || c == "]" || c == "}" || (c == ":" && peek(1) == " ") { break }
                    if c == "#", position > start, characters[position - 1] == " " { break }
                    position += 1
                }
                let text = String(characters[start..<position]).trimmingCharacters(in: .whitespaces)
                return try resolvePlain(text, line: line)
            }
        }
    }

    /// YAML 1.2 core-schema typing, refusing what YAML 1.1 would read differently.
    static func resolvePlain(_ text: String, line: Int = 0) throws -> YAML {
        let lower = text.lowercased()
        if ["", "~", "null"].contains(lower) { return .null }
        if lower == "true" || lower == "false" { return .bool(lower == "true") }
        if ["yes", "no", "on", "off", "y", "n"].contains(lower) || text.range(of: #"^\d{4}-\d\d?-\d\d?"#, options: .regularExpression) != nil
            || text.range(of: #"^[-+]?0\d|^[-+]?\d[\d_]*:|^[-+]?\d+_"#, options: .regularExpression) != nil {
            throw Failure(line: line, reason: "quote the ambiguous scalar \(text)")
        }
        if text.range(of: #"^-?(0|[1-9][0-9]*)$"#, options: .regularExpression) != nil {
            guard let number = Int64(text) else { throw Failure(line: line, reason: "integer out of range \(text)") }
            return .int(number)
        }
        if text.range(of: #"^-?[0-9]+\.[0-9]*([eE][-+][0-9]+)?$"#, options: .regularExpression) != nil, let number = Double(text) {
            return .number(number)
        }
        if text.first.map({ "&*!|>%@`".contains($0) }) == true { throw Failure(line: line, reason: "unsupported YAML \(text)") }
        return .string(text)
    }
}
