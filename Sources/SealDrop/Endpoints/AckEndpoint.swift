/// `POST /ack`: the link's owner marks messages seen.
struct AckEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws(APIError) -> HTTPResponse {
        let body = try context.body()
        let client = try context.requireOwner(body)
        let ids = try body.requireIntegerArray("message_ids", maxCount: context.limits.maxAckIDs)

        let count = try database { () throws(StoreError) in
            try context.store.markSeen(linkToken: client.linkToken, ids: ids)
        }
        var json = JSONWriter()
        json.beginObject()
        json.field("message", "Messages marked as seen")
        json.field("count", Int64(count))
        json.endObject()
        return HTTPResponse(status: .ok, json: json.bytes)
    }
}
