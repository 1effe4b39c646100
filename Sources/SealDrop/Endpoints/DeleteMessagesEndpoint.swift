/// `POST /delete_messages`: the link's owner deletes some of its messages.
struct DeleteMessagesEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let body = try context.body()
        let claim = try context.claimOwnership(body)
        let ids = try body.requireIntegerArray("message_ids", maxCount: context.limits.maxAckIDs)
        // Proof last: a request refused for its other fields leaves its challenge unused.
        let owner = try context.prove(claim)
        let count = try context.store.deleteMessages(linkToken: owner.linkToken, ids: ids)
        return .json { json in
            json.field("message", "Messages deleted")
            json.field("count", Int64(count))
        }
    }
}
