/// `POST /fetch`: the link's owner collects its sealed messages, newest first
/// unless `order` says `ASC`, paged by `limit`, `before_id` and `since_id`.
/// `next_cursor` is the id of the page's last message, as the original server
/// gave it, so a client that passes it back as `since_id` (oldest first) or
/// `before_id` (newest first) after every page keeps its place; `has_more` says
/// whether to go on.
///
/// A SealDrop addition the seed's clients never send: `"next_challenge": true`
/// with a challenge proof answers with `next_challenge`, the challenge to sign
/// for the next fetch, a new challenge with a full lifetime of its own. A client
/// that polls then makes one request per fetch instead of two. Opt-in, so the
/// response of a seed client is the seed's, field for field.
struct FetchEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let (owner, (query, page)) = try context.requireOwner(context.body(), offeringNextChallenge: true) { body in
            var query = MessageQuery()
            query.includeSeen = try body.optionalBool("include_seen") ?? false
            let page = try Page(body, limits: context.limits)
            query.limit = page.readCount
            query.beforeID = try body.optionalInteger("before_id", in: 1...Int64.max)
            query.sinceID = try body.optionalInteger("since_id", in: 0...Int64.max)
            // Any other order is newest first, as the original server read it.
            query.ascending = try body.optionalString("order").map { RequestBody.equalsIgnoringASCIICase($0, "asc") } ?? false
            return (query, page)
        }

        let (messages, hasMore) = page.cut(try context.store.messages(linkToken: owner.linkToken, query: query))

        let capacity = 160 + messages.reduce(0) { $0 + $1.encryptedMessage.utf8.count + 160 }
        return .json(capacity: capacity) { json in
            json.field("message", "Messages retrieved successfully")
            json.key("data")
            json.beginArray()
            for message in messages { write(message, to: &json) }
            json.endArray()
            // An empty page leaves the cursor where the client had it (null if it sent
            // none), so a poller that always passes next_cursor on never goes back.
            Page.writeSummary(count: messages.count, hasMore: hasMore,
                              cursor: messages.last?.id ?? (query.ascending ? query.sinceID : query.beforeID), to: &json)
            if let next = owner.nextChallenge { json.field("next_challenge", next) }
        }
    }

    private func write(_ message: StoredMessage, to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", message.id)
        json.field("encrypted_message", message.encryptedMessage)
        json.field("created_at", message.createdAt?.iso8601)
        json.field("seen", message.seen)
        json.key("metadata")
        if let metadata = message.metadataJSON { json.raw(metadata) } else { json.null() }
        json.endObject()
    }
}
