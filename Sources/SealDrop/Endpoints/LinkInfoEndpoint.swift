import Sodium

/// `GET /l/{link_token}`: what a sender needs to seal a message for the link. The
/// link is what recipients share, so a browser opening it (one that prefers
/// `text/html`) gets the sender page instead of the JSON; every other client
/// gets the JSON as before. Both answers vary with `Accept`.
struct LinkInfoEndpoint: Endpoint {
    static let prefix = "/l/"

    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let linkToken = String(context.request.path.dropFirst(Self.prefix.count))
        let client = try context.requireClient(linkToken)
        let keyText = Self.encryptionKey(of: client)
        let key = keyText.flatMap { Base64.decode($0) }.flatMap { X25519PublicKey(bytes: $0) }
        var response: HTTPResponse
        if context.request.prefersHTML {
            response = LinkPage.response(for: client, key: key, limits: context.limits)
        } else {
            var json = JSONWriter()
            json.beginObject()
            json.field("link_token", client.linkToken)
            json.field("display_name", client.displayName)
            json.field("public_key", client.publicKey)
            json.field("encryption_public_key", keyText)
            json.field("encryption_key_fingerprint", key?.fingerprint)
            json.field("created_at", client.createdAt?.iso8601)
            json.endObject()
            response = HTTPResponse(status: .ok, json: json.bytes)
        }
        response.headers.append(("Vary", "Accept"))
        return response
    }

    /// An error is a page for a browser too: a friendly 404 for an unknown link.
    func errorResponse(_ error: APIError, for request: HTTPRequest) -> HTTPResponse {
        var response = request.prefersHTML ? LinkPage.response(for: error) : error.response()
        response.headers.append(("Vary", "Accept"))
        return response
    }

    /// The X25519 key given at registration, else the conversion of the Ed25519 key.
    static func encryptionKey(of client: ClientRecord) -> String? {
        if let key = client.encryptionPublicKey { return key }
        guard let bytes = Base64.decode(client.publicKey), let key = Ed25519PublicKey(bytes: bytes) else { return nil }
        return Base64.encode(key.x25519.bytes)
    }
}
