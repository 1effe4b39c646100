/// `POST /get_message_requests`: the recipient's pending permission requests,
/// newest first, paged as `/fetch` pages (`limit`, `before_id`), so none is out of
/// reach however many there are. Requests left unanswered past retention lapse.
struct GetMessageRequestsEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let (owner, (page, beforeID)) = try context.requireOwner(context.body()) { body in
            (try Page(body, limits: context.limits), try body.optionalInteger("before_id", in: 1...Int64.max))
        }
        let pendingSeconds = context.configuration.retention.messageSeconds
        let (requests, hasMore) = page.cut(try context.store.pendingRequests(
            to: owner.linkToken, beforeID: beforeID, limit: page.readCount, pendingSeconds: pendingSeconds))
        return .json { json in
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
            // next_cursor: the id to pass on as before_id for the next, older page; on an
            // empty page the one the client sent, as /fetch does.
            Page.writeSummary(count: requests.count, hasMore: hasMore, cursor: requests.last?.id ?? beforeID, to: &json)
        }
    }
}
