import Sodium

/// `GET /l/{link_token}`: what a sender needs to seal a message for the link.
struct LinkInfoEndpoint: Endpoint {
    static let prefix = "/l/"

    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let linkToken = String(context.request.path.dropFirst(Self.prefix.count))
        let client = try context.requireClient(linkToken)
        var json = JSONWriter()
        json.beginObject()
        json.field("link_token", client.linkToken)
        json.field("display_name", client.displayName)
        json.field("public_key", client.publicKey)
        json.field("encryption_public_key", Self.encryptionKey(of: client))
        json.field("created_at", client.createdAt?.iso8601)
        json.endObject()
        return HTTPResponse(status: .ok, json: json.bytes)
    }

    /// The X25519 key given at registration, else the conversion of the Ed25519 key.
    static func encryptionKey(of client: ClientRecord) -> String? {
        if let key = client.encryptionPublicKey { return key }
        guard let bytes = Base64.decode(client.publicKey), let key = Ed25519PublicKey(bytes: bytes) else { return nil }
        return Base64.encode(key.x25519.bytes)
    }
}
