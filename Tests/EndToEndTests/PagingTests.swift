import Testing
import TestSupport

/// Issue 5, point 1: limit, before_id, since_id, order; count, has_more, next_cursor.
@Suite("Paging")
struct PagingTests {
    @Test("newest first by default, paged with before_id through next_cursor")
    func pagesBackward() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api)
        let sent = try sendMessages(api, to: recipient, count: 7)
        var seen: [Int64] = []
        var cursor: Int64?
        var pages = 0
        repeat {
            var body: [String: JSON] = ["link_token": .string(recipient.linkToken), "limit": .int(3)]
            if let cursor { body["before_id"] = .int(cursor) }
            let page = try api.expect(call(api, "/fetch", body, auth: recipient.bearer), 200, "POST /fetch page")
            let pageIDs = ids(page)
            #expect(pageIDs == pageIDs.sorted(by: >), "a page is newest first")
            #expect(page["count"]?.int == Int64(pageIDs.count))
            seen += pageIDs
            cursor = page["next_cursor"]?.int
            #expect((page["has_more"]?.bool ?? false) == (cursor != nil))
            pages += 1
        } while cursor != nil && pages < 10
        #expect(seen == sent.reversed())
        #expect(pages == 3)
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
        #expect(rest["next_cursor"]?.isNull == true)
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
