import Testing
import TestSupport

/// Issue 5, point 1: limit, before_id, since_id, order; count, has_more, next_cursor.
/// Issue 12: next_cursor is the last id of every non-empty page, as the original
/// server gave it; a client stops on has_more.
@Suite("Paging")
struct PagingTests {
    /// One fetch of `recipient`'s link with `fields`; must answer 200.
    private func page(_ api: SealDropClient, _ recipient: Recipient, _ fields: [String: JSON]) throws -> JSON {
        let body = fields.merging(["link_token": .string(recipient.linkToken)]) { _, own in own }
        return try api.expect(call(api, "/fetch", body, auth: recipient.bearer), 200, "POST /fetch \(fields)")
    }

    private func hasMore(_ json: JSON) throws -> Bool {
        guard let more = json["has_more"]?.bool else { throw HTTPClientError("fetch answered without has_more: \(json)") }
        return more
    }

    @Test("newest first by default, paged with before_id = next_cursor until has_more is false")
    func pagesBackward() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let sent = try sendMessages(api, to: recipient, count: 7)
        var seen: [Int64] = []
        var cursor: Int64?
        var pages = 0
        var more = true
        while more && pages < 10 {
            var fields: [String: JSON] = ["limit": .int(3)]
            if let cursor { fields["before_id"] = .int(cursor) }
            let json = try page(api, recipient, fields)
            let pageIDs = ids(json)
            #expect(pageIDs == pageIDs.sorted(by: >), "a page is newest first")
            #expect(json["count"]?.int == Int64(pageIDs.count))
            #expect(json["next_cursor"]?.int == pageIDs.last, "next_cursor is the page's last (lowest) id")
            seen += pageIDs
            cursor = json["next_cursor"]?.int
            more = try hasMore(json)
            pages += 1
        }
        #expect(seen == sent.reversed())
        #expect(pages == 3)
        // Paging on past the end: an empty page keeps the cursor where it was.
        let past = try page(api, recipient, ["before_id": .int(sent[0])])
        #expect(ids(past).isEmpty)
        #expect(past["has_more"]?.bool == false)
        #expect(past["next_cursor"]?.int == sent[0])
    }

    @Test("order ASC with since_id returns only newer messages, oldest first")
    func pagesForward() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let sent = try sendMessages(api, to: recipient, count: 5)
        let page = try api.expect(call(api, "/fetch", ["link_token": .string(recipient.linkToken), "order": "ASC",
                                                       "since_id": .int(sent[1]), "limit": .int(2)], auth: recipient.bearer),
                                  200, "POST /fetch ASC")
        #expect(ids(page) == [sent[2], sent[3]])
        #expect(page["has_more"]?.bool == true)
        #expect(page["next_cursor"]?.int == sent[3])
        let rest = try api.expect(call(api, "/fetch", ["link_token": .string(recipient.linkToken), "order": "ASC",
                                                       "since_id": .int(sent[3])], auth: recipient.bearer),
                                  200, "POST /fetch ASC rest")
        #expect(ids(rest) == [sent[4]])
        #expect(rest["has_more"]?.bool == false)
        #expect(rest["next_cursor"]?.int == sent[4], "the last page too names its highest id")
    }

    @Test("a poller passing next_cursor on as since_id after every page gets each message once, through empty pages")
    func pollerFollowsNextCursor() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        var cursor: Int64?
        var delivered: [Int64] = []
        /// One poll as such a client makes it: since_id is whatever the last answer's next_cursor was.
        func poll(sourceLocation: SourceLocation = #_sourceLocation) throws -> (ids: [Int64], more: Bool) {
            var fields: [String: JSON] = ["order": "ASC", "limit": .int(2)]
            if let cursor { fields["since_id"] = .int(cursor) }
            let json = try page(api, recipient, fields)
            let next = json["next_cursor"]
            #expect(next != nil, "next_cursor is always present", sourceLocation: sourceLocation)
            cursor = next?.int
            delivered += ids(json)
            return (ids(json), try hasMore(json))
        }
        // An empty mailbox and no cursor yet: next_cursor is null, and stays so.
        for _ in 0..<2 {
            #expect(try poll().ids.isEmpty)
            #expect(cursor == nil)
        }
        var sent = try sendMessages(api, to: recipient, count: 3, prefix: "a")
        #expect(try poll() == (ids: Array(sent[0...1]), more: true))
        #expect(try poll() == (ids: [sent[2]], more: false))
        #expect(cursor == sent[2])
        // Quiet polls: empty pages keep the cursor at the highest id delivered.
        for _ in 0..<3 {
            #expect(try poll() == (ids: [], more: false))
            #expect(cursor == sent[2], "an empty page moved the cursor to \(String(describing: cursor))")
        }
        sent += try sendMessages(api, to: recipient, count: 2, prefix: "b")
        #expect(try poll() == (ids: Array(sent[3...4]), more: false))
        #expect(try poll() == (ids: [], more: false))
        #expect(delivered == sent, "every message once, in order")
        #expect(cursor == sent[4])
    }

    @Test("limit is clamped to 1...200; order is read in any case, and any other order is newest first")
    func limitsAndOrder() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let sent = try sendMessages(api, to: recipient, count: 3)
        let one = try api.expect(call(api, "/fetch", ["link_token": .string(recipient.linkToken), "limit": .int(0)],
                                      auth: recipient.bearer), 200, "limit 0")
        #expect(ids(one).count == 1)
        for order in ["asc", "Asc", "ASC"] {
            let page = try api.expect(call(api, "/fetch", ["link_token": .string(recipient.linkToken), "order": .string(order)],
                                           auth: recipient.bearer), 200, "order \(order)")
            #expect(ids(page) == sent, "order \(order) is oldest first")
        }
        for order in ["desc", "SIDEWAYS", "", "ASC ", "a\u{17F}c"] {
            let page = try api.expect(call(api, "/fetch", ["link_token": .string(recipient.linkToken), "order": .string(order)],
                                           auth: recipient.bearer), 200, "order \(order.debugDescription)")
            #expect(ids(page) == sent.reversed(), "order \(order.debugDescription) is newest first")
        }
        expectError(try call(api, "/fetch", ["link_token": .string(recipient.linkToken), "order": 1], auth: recipient.bearer),
                    400, "order of another JSON type")
    }
}
