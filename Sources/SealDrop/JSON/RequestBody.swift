/// The JSON object a POST endpoint received, read through accessors that
/// answer 400 naming the field that is missing or of the wrong type. Integers
/// and booleans are also taken in the spellings clients of the original server
/// send (see RequestBody+Dialects.swift).
struct RequestBody {
    let object: JSONValue

    init(_ bytes: [UInt8]) throws(APIError) {
        guard !bytes.isEmpty else { throw APIError.badRequest("Request body must be a JSON object") }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw APIError.badRequest("Request body is not valid JSON")
        }
        guard case .object = value else { throw APIError.badRequest("Request body must be a JSON object") }
        object = value
    }

    /// The member, or nil when absent or null.
    func optional(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func requireString(_ key: String) throws(APIError) -> String {
        guard let value = optional(key) else { throw APIError.badRequest("\(key) is required") }
        guard case .string(let text) = value else { throw APIError.badRequest("\(key) must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(APIError) -> String? {
        guard let value = optional(key) else { return nil }
        guard case .string(let text) = value else { throw APIError.badRequest("\(key) must be a string") }
        return text
    }

    func optionalBool(_ key: String) throws(APIError) -> Bool? {
        guard let value = optional(key) else { return nil }
        guard let flag = Self.flag(value) else { throw APIError.badRequest("\(key) must be true or false") }
        return flag
    }

    func optionalInteger(_ key: String, in range: ClosedRange<Int64>) throws(APIError) -> Int64? {
        guard let value = optional(key) else { return nil }
        guard let number = Self.integer(value), range.contains(number) else {
            throw APIError.badRequest("\(key) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func requireIntegerArray(_ key: String, maxCount: Int) throws(APIError) -> [Int64] {
        guard let value = optional(key) else { throw APIError.badRequest("\(key) is required") }
        guard case .array(let items) = value else { throw APIError.badRequest("\(key) must be an array of message ids") }
        guard items.count <= maxCount else { throw APIError.tooLarge("\(key) may hold at most \(maxCount) ids") }
        var ids: [Int64] = []
        ids.reserveCapacity(items.count)
        for item in items {
            guard let id = Self.integer(item), id > 0 else { throw APIError.badRequest("\(key) must be an array of message ids") }
            ids.append(id)
        }
        return ids
    }
}
