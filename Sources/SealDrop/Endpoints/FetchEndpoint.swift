/// `POST /fetch`: the link's owner collects its sealed messages, newest first.
struct FetchEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws(APIError) -> HTTPResponse {
        let body = try context.body()
        let client = try context.requireClient(try body.requireString("link_token"))
        try Authenticator(context: context).authenticate(client, body: body)

        let limits = context.limits
        var query = MessageQuery()
        query.includeSeen = try body.optionalBool("include_seen") ?? false
        // Out-of-range limits are clamped, as the original server did.
        if let limit = try body.optionalInteger("limit", in: Int64.min...Int64.max) {
            query.limit = Int(max(1, min(limit, Int64(limits.maxFetchLimit))))
        } else {
            query.limit = limits.defaultFetchLimit
        }
        query.beforeID = try body.optionalInteger("before_id", in: 1...Int64.max)

        let messages = try database { () throws(StoreError) in
            try context.store.messages(linkToken: client.linkToken, query: query)
        }
        var json = JSONWriter(capacity: 128 + messages.reduce(0) { $0 + $1.encryptedMessage.utf8.count + 160 })
        json.beginObject()
        json.field("message", "Messages retrieved successfully")
        json.key("data")
        json.beginArray()
        for message in messages {
            json.beginObject()
            json.field("id", message.id)
            json.field("encrypted_message", message.encryptedMessage)
            json.field("created_at", message.createdAt?.iso8601)
            json.field("seen", message.seen)
            json.key("metadata")
            if let metadata = message.metadataJSON { json.raw(metadata) } else { json.null() }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return HTTPResponse(status: .ok, json: json.bytes)
    }
}
