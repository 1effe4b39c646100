/// `POST /check_contact`: whether a link exists, and under which nickname.
struct CheckContactEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let linkToken = try context.body().requireString("link_token")
        let client = try context.client(linkToken)
        return .json { json in
            json.field("exists", client != nil)
            guard let client else { return }
            json.field("link_token", client.linkToken)
            json.field("nickname", client.displayName)
            json.field("created_at", client.createdAt?.iso8601)
        }
    }
}
