/// `POST /get_message_requests`: the recipient's pending permission requests.
struct GetMessageRequestsEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws(APIError) -> HTTPResponse {
        let body = try context.body()
        let owner = try context.requireOwner(body)
        let requests = try database { () throws(StoreError) in try context.store.pendingRequests(to: owner.linkToken) }
        var json = JSONWriter()
        json.beginObject()
        json.field("message", "Requests retrieved successfully")
        json.key("data")
        json.beginArray()
        for request in requests {
            json.beginObject()
            json.field("id", request.id)
            json.field("from_link_token", request.fromLinkToken)
            json.field("from_nickname", request.fromNickname)
            json.field("created_at", request.createdAt?.iso8601)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return HTTPResponse(status: .ok, json: json.bytes)
    }
}
