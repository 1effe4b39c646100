/// Polls a link as a client waiting for new messages does: `POST /fetch` oldest
/// first with `since_id` set to the `next_cursor` of the poll before, until `done()`
/// was true before a poll that came back empty. Returns the ids in the order they
/// were delivered, or nil when a poll was not answered 200 with a cursor.
public func pollSinceID(_ api: SealDropClient, linkToken: String, fetchToken: String, until done: () -> Bool) -> [Int64]? {
    var delivered: [Int64] = []
    var cursor: JSON = nil
    while true {
        let finished = done()
        guard let response = try? api.call("/fetch", [
            "link_token": .string(linkToken), "order": "ASC", "since_id": cursor, "limit": .int(200),
            "include_seen": true,
        ], auth: .bearer(fetchToken)), response.status == 200, let json = response.json,
            let next = json["next_cursor"] else { return nil }
        let page = messageIDs(json)
        delivered += page
        cursor = next
        if finished && page.isEmpty { return delivered }
    }
}

/// The ids of a fetch response's `data`, in order.
public func messageIDs(_ json: JSON) -> [Int64] {
    json["data"]?.array?.compactMap { $0["id"]?.int } ?? []
}
