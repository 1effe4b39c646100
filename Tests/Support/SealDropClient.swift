import Sodium

/// A response had another status (or no JSON body) than a helper needed to go on.
public struct UnexpectedResponse: Error, CustomStringConvertible {
    public let request: String
    public let expected: Int
    public let response: HTTPResponse
    public var description: String { "\(request): expected HTTP \(expected), got \(response)" }
}

/// The SealDrop API as the seed describes it, one method per endpoint. Each method
/// returns the raw `HTTPResponse` so tests can assert status, headers and body;
/// `expect(_:_:_:)` turns a response into its JSON when the status is the wanted one.
public struct SealDropClient: Sendable {
    /// How a `/fetch` or `/ack` proves ownership of the link.
    public enum Auth: Sendable {
        case none
        /// `Authorization: Bearer <fetch_token>`.
        case bearer(String)
        /// `challenge` and base64 `challenge_signature` fields in the body.
        case signed(challenge: String, signature: String)
    }

    public let http: HTTPClient

    public init(http: HTTPClient) { self.http = http }

    /// `POST /register`; optional fields are left out when nil.
    public func register(
        publicKey: String, displayName: String? = nil, encryptionPublicKey: String? = nil
    ) throws -> HTTPResponse {
        var body: [String: JSON] = ["public_key": .string(publicKey)]
        if let displayName { body["display_name"] = .string(displayName) }
        if let encryptionPublicKey { body["encryption_public_key"] = .string(encryptionPublicKey) }
        return try http.post("/register", json: .object(body))
    }

    /// `GET /l/{link_token}`.
    public func linkInfo(_ linkToken: String) throws -> HTTPResponse {
        try http.get("/l/\(linkToken)")
    }

    /// `POST /send` with a base64 ciphertext; `metadata` is left out when nil.
    public func send(linkToken: String, ciphertext: String, metadata: JSON? = nil) throws -> HTTPResponse {
        var body: [String: JSON] = ["link_token": .string(linkToken), "encrypted_message": .string(ciphertext)]
        if let metadata { body["metadata"] = metadata }
        return try http.post("/send", json: .object(body))
    }

    /// `POST /challenge_request`.
    public func challenge(linkToken: String) throws -> HTTPResponse {
        try http.post("/challenge_request", json: ["link_token": .string(linkToken)])
    }

    /// `POST /fetch`; the optional fields are sent only when given.
    public func fetch(
        linkToken: String, auth: Auth, includeSeen: Bool? = nil, limit: Int? = nil, beforeID: Int64? = nil,
        nextChallenge: Bool? = nil, order: String? = nil
    ) throws -> HTTPResponse {
        var body: [String: JSON] = ["link_token": .string(linkToken)]
        if let includeSeen { body["include_seen"] = .bool(includeSeen) }
        if let nextChallenge { body["next_challenge"] = .bool(nextChallenge) }
        if let order { body["order"] = .string(order) }
        if let limit { body["limit"] = .int(Int64(limit)) }
        if let beforeID { body["before_id"] = .int(beforeID) }
        return try post("/fetch", body, auth)
    }

    /// `POST /ack` marking `messageIDs` as seen.
    public func ack(linkToken: String, messageIDs: [Int64], auth: Auth) throws -> HTTPResponse {
        let body: [String: JSON] = ["link_token": .string(linkToken), "message_ids": .array(messageIDs.map(JSON.int))]
        return try post("/ack", body, auth)
    }

    /// Seals `plaintext` to the key that `GET /l/{linkToken}` publishes, as a sender
    /// who knows nothing but the link would, and returns the base64 ciphertext.
    public func seal(_ plaintext: String, forLink linkToken: String) throws -> String {
        let info = try expect(linkInfo(linkToken), 200, "GET /l/{token}")
        guard let keyText = info["encryption_public_key"]?.string, let keyBytes = Base64.decode(keyText),
            let key = X25519PublicKey(bytes: keyBytes)
        else { throw HTTPClientError("GET /l/{token} gave no usable encryption_public_key: \(info)") }
        return Base64.encode(SealedBox.seal(Array(plaintext.utf8), to: key))
    }

    /// The JSON body of `response` when its status is `status`; otherwise throws
    /// `UnexpectedResponse` naming `request`.
    @discardableResult
    public func expect(_ response: HTTPResponse, _ status: Int, _ request: String) throws -> JSON {
        guard response.status == status, let json = response.json else {
            throw UnexpectedResponse(request: request, expected: status, response: response)
        }
        return json
    }

    /// POSTs `fields` to `path` with the given proof of link ownership: a bearer
    /// header, or the challenge fields added to the body.
    public func call(_ path: String, _ fields: [String: JSON], auth: Auth = .none) throws -> HTTPResponse {
        try post(path, fields, auth)
    }

    private func post(_ path: String, _ fields: [String: JSON], _ auth: Auth) throws -> HTTPResponse {
        var body = fields
        var headers: [(String, String)] = []
        switch auth {
        case .none: break
        case .bearer(let token): headers.append(("Authorization", "Bearer \(token)"))
        case .signed(let challenge, let signature):
            body["challenge"] = .string(challenge)
            body["challenge_signature"] = .string(signature)
        }
        return try http.post(path, json: .object(body), headers: headers)
    }
}
