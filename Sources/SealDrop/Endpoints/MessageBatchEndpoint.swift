/// An endpoint where the link's owner does one thing to some of its messages,
/// named by `message_ids`, and is told how many it touched: `/ack` and
/// `/delete_messages`, which differ only in what they do and what they say.
protocol MessageBatchEndpoint: Endpoint {
    /// The answer's `message`.
    var answer: String { get }
    /// Does it to the link's messages among `ids` (others' are left alone);
    /// returns how many changed.
    func apply(to ids: [Int64], of linkToken: String, in store: Store) throws(StoreError) -> Int
}

extension MessageBatchEndpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let (owner, ids) = try context.requireOwner(context.body()) { body in
            try body.requireIntegerArray("message_ids", maxCount: context.limits.maxAckIDs)
        }
        let count = try apply(to: ids, of: owner.linkToken, in: context.store)
        return .json { json in
            json.field("message", answer)
            json.field("count", Int64(count))
        }
    }
}
