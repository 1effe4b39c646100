/// `POST /check_contact`: whether a link exists, and under which nickname.
struct CheckContactEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let linkToken = try context.body().requireString("link_token")
        var json = JSONWriter()
        json.beginObject()
        if let client = try context.client(linkToken) {
            json.field("exists", true)
            json.field("link_token", client.linkToken)
            json.field("nickname", client.displayName)
            json.field("created_at", client.createdAt?.iso8601)
        } else {
            json.field("exists", false)
        }
        json.endObject()
        return HTTPResponse(status: .ok, json: json.bytes)
    }
}
