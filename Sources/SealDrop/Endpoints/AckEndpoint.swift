/// `POST /ack`: the link's owner marks messages seen.
struct AckEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let body = try context.body()
        let claim = try context.claimOwnership(body)
        let ids = try body.requireIntegerArray("message_ids", maxCount: context.limits.maxAckIDs)
        // Proof last: a request refused for its other fields leaves its challenge unused.
        let owner = try context.prove(claim)

        let count = try context.store.markSeen(linkToken: owner.linkToken, ids: ids)
        return .json { json in
            json.field("message", "Messages marked as seen")
            json.field("count", Int64(count))
        }
    }
}
