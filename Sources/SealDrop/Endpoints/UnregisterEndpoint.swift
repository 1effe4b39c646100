/// `POST /unregister`: the link's owner removes the link and everything kept for it.
struct UnregisterEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let owner = try context.requireOwner(context.body())
        let removed = try context.store.deleteClient(linkToken: owner.linkToken)
        guard removed else { throw APIError.unknownLink }
        return .json { $0.field("message", "Link removed") }
    }
}
