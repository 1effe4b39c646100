import MariaDB
import Testing
import TestSupport

/// Issue 5, point 7: deleting messages, unregistering, rotating the fetch token.
@Suite("Lifecycle")
struct LifecycleTests {
    @Test("delete_messages removes only the caller's messages")
    func deleteMessages() throws {
        let api = try makeAPI()
        let owner = try Recipient(client: api)
        let other = try Recipient(client: api)
        let mine = try sendMessages(api, to: owner, count: 3)
        let theirs = try sendMessages(api, to: other, count: 1)
        let deleted = try api.expect(call(api, "/delete_messages", ["link_token": .string(owner.linkToken),
                                                                    "message_ids": .array([.int(mine[0]), .int(mine[1]), .int(theirs[0])])],
                                          auth: owner.bearer), 200, "delete")
        #expect(deleted["count"]?.int == 2)
        #expect(try owner.fetchMessages(includeSeen: true).compactMap { $0["id"]?.int } == [mine[2]])
        #expect(try other.fetchMessages().count == 1, "another link's message survives")
        #expect(try call(api, "/delete_messages", ["link_token": .string(owner.linkToken), "message_ids": .array([.int(mine[2])])]).status == 401)
    }

    @Test("rotate_fetch_token: the new token works, the old one stops at once")
    func rotate() throws {
        let api = try makeAPI()
        let owner = try Recipient(client: api)
        let rotated = try api.expect(call(api, "/rotate_fetch_token", ["link_token": .string(owner.linkToken)], auth: owner.bearer),
                                     200, "rotate")
        let fresh = try #require(rotated["fetch_token"]?.string)
        #expect(fresh.count == 64 && fresh != owner.registration.fetchToken)
        #expect(try api.fetch(linkToken: owner.linkToken, auth: owner.bearer).status == 401)
        try api.expect(api.fetch(linkToken: owner.linkToken, auth: .bearer(fresh)), 200, "fetch with the new token")
        // Rotating by signed challenge works too.
        try api.expect(call(api, "/rotate_fetch_token", ["link_token": .string(owner.linkToken)], auth: owner.signedAuth()),
                       200, "rotate signed")
        #expect(try api.fetch(linkToken: owner.linkToken, auth: .bearer(fresh)).status == 401)
    }

    @Test("unregister removes the link and leaves no row of it in any table")
    func unregister() throws {
        let api = try makeAPI()
        let owner = try Recipient(client: api, displayName: "leaving")
        let friend = try Recipient(client: api)
        _ = try sendMessages(api, to: owner, count: 2)
        _ = try api.challenge(linkToken: owner.linkToken)
        try api.expect(call(api, "/request_message_permission", ["from_link_token": .string(friend.linkToken),
                                                                 "to_link_token": .string(owner.linkToken)], auth: friend.bearer),
                       201, "request to the leaving link")
        try api.expect(call(api, "/request_message_permission", ["from_link_token": .string(owner.linkToken),
                                                                 "to_link_token": .string(friend.linkToken)], auth: owner.bearer),
                       201, "request from the leaving link")
        #expect(try rowsMentioning(owner.linkToken) > 0, "the check can see the link's rows")

        #expect(try call(api, "/unregister", ["link_token": .string(owner.linkToken)]).status == 401)
        try api.expect(call(api, "/unregister", ["link_token": .string(owner.linkToken)], auth: owner.signedAuth()), 200, "unregister")
        #expect(try api.linkInfo(owner.linkToken).status == 404)
        #expect(try api.send(linkToken: owner.linkToken, ciphertext: api.seal("late", forLink: friend.linkToken)).status == 404)
        #expect(try rowsMentioning(owner.linkToken) == 0)
        #expect(try rowsMentioning(friend.linkToken) > 0, "the friend's own link is untouched")
    }

    /// Rows in any table of the database whose columns hold `linkToken`.
    private func rowsMentioning(_ linkToken: String) throws -> Int {
        let connection = try testDatabaseConnection()
        let columns = try connection.query("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = DATABASE() AND data_type IN ('varchar', 'char', 'text', 'longtext', 'mediumtext')
            """)
        var total = 0
        for column in columns {
            guard let table = column[0].string, let name = column[1].string else { continue }
            let count = try connection.query("SELECT COUNT(*) FROM `\(table)` WHERE `\(name)` = ?", [.text(linkToken)])
            total += Int(count.first?[0].int64 ?? 0)
        }
        return total
    }
}
