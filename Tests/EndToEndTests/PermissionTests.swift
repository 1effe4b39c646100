import Testing
import TestSupport

/// Issue 5, points 3–5: /check_contact, permission-based messaging, key_type.
@Suite("Contacts and permissions")
struct PermissionTests {
    @Test("check_contact: exists with nickname, or exists false")
    func checkContact() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api, displayName: "Ada")
        let found = try api.expect(call(api, "/check_contact", ["link_token": .string(recipient.linkToken)]), 200, "check")
        #expect(found["exists"]?.bool == true)
        #expect(found["link_token"]?.string == recipient.linkToken)
        #expect(found["nickname"]?.string == "Ada")
        #expect(found["created_at"]?.string?.hasSuffix("+00:00") == true)
        let missing = try api.expect(call(api, "/check_contact", ["link_token": "link_doesnotexist"]), 200, "check missing")
        #expect(missing == .object(["exists": .bool(false)]))
        #expect(try call(api, "/check_contact", [:]).status == 400)
    }

    @Test("request → pending → accept → identified send works; before that 403 action_required")
    func permissionFlow() throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api, displayName: "Alice")
        let bob = try Recipient(client: api, displayName: "Bob")
        let box = try api.seal("hi alice", forLink: alice.linkToken)
        let identified: [String: JSON] = ["link_token": .string(alice.linkToken), "encrypted_message": .string(box),
                                          "from_link_token": .string(bob.linkToken)]

        // Naming a sender without proof for it: 401, and nothing stored.
        #expect(try call(api, "/send", identified).status == 401)
        #expect(try call(api, "/send", identified, auth: alice.bearer).status == 401, "another link's token is no proof")
        // With proof but no permission: 403 with action_required.
        let refused = try call(api, "/send", identified, auth: bob.bearer)
        #expect(refused.status == 403)
        #expect(refused.json?["action_required"]?.string == "request_permission")
        #expect(try alice.fetchMessages().isEmpty)

        let request: [String: JSON] = ["from_link_token": .string(bob.linkToken), "to_link_token": .string(alice.linkToken),
                                       "from_nickname": "Bob"]
        #expect(try call(api, "/request_message_permission", request).status == 401, "request needs proof too")
        let pending = try api.expect(call(api, "/request_message_permission", request, auth: bob.signedAuth()), 201, "request")
        #expect(pending["status"]?.string == "pending")
        let requestID = try #require(pending["request_id"]?.int)
        let again = try api.expect(call(api, "/request_message_permission", request, auth: bob.bearer), 201, "request again")
        #expect(again["request_id"]?.int == requestID, "a pending request is not duplicated")

        let listed = try api.expect(call(api, "/get_message_requests", ["link_token": .string(alice.linkToken)],
                                         auth: alice.bearer), 200, "list")
        let entry = try #require(listed["data"]?.array?.first)
        #expect(entry["id"]?.int == requestID)
        #expect(entry["from_link_token"]?.string == bob.linkToken)
        #expect(entry["from_nickname"]?.string == "Bob")
        #expect(try call(api, "/get_message_requests", ["link_token": .string(alice.linkToken)], auth: bob.bearer).status == 401)

        // Bob cannot answer a request addressed to Alice.
        let answer: [String: JSON] = ["request_id": .int(requestID), "action": "accept"]
        var notYours = answer
        notYours["link_token"] = .string(bob.linkToken)
        #expect(try call(api, "/respond_message_request", notYours, auth: bob.bearer).status == 403)
        var bad = answer
        bad["link_token"] = .string(alice.linkToken)
        bad["action"] = "maybe"
        #expect(try call(api, "/respond_message_request", bad, auth: alice.bearer).status == 400)
        var mine = answer
        mine["link_token"] = .string(alice.linkToken)
        let accepted = try api.expect(call(api, "/respond_message_request", mine, auth: alice.bearer), 200, "accept")
        #expect(accepted["status"]?.string == "accepted")
        #expect(try call(api, "/respond_message_request", mine, auth: alice.bearer).status == 400, "already answered")
        var unknown = mine
        unknown["request_id"] = .int(requestID + 1_000_000)
        #expect(try call(api, "/respond_message_request", unknown, auth: alice.bearer).status == 404)

        let already = try api.expect(call(api, "/request_message_permission", request, auth: bob.bearer), 200, "accepted")
        #expect(already["status"]?.string == "accepted")
        try api.expect(call(api, "/send", identified, auth: bob.bearer), 201, "identified send after acceptance")
        try api.expect(api.send(linkToken: alice.linkToken, ciphertext: box), 201, "anonymous send still works")
        #expect(try alice.fetchMessages().count == 2)
    }

    @Test("a rejected sender stays refused")
    func rejection() throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api)
        let carol = try Recipient(client: api)
        let request: [String: JSON] = ["from_link_token": .string(carol.linkToken), "to_link_token": .string(alice.linkToken)]
        let pending = try api.expect(call(api, "/request_message_permission", request, auth: carol.bearer), 201, "request")
        let id = try #require(pending["request_id"]?.int)
        let rejected = try api.expect(call(api, "/respond_message_request", ["link_token": .string(alice.linkToken),
                                                                             "request_id": .int(id), "action": "reject"],
                                           auth: alice.signedAuth()), 200, "reject")
        #expect(rejected["status"]?.string == "rejected")
        let box = try api.seal("x", forLink: alice.linkToken)
        let send = try call(api, "/send", ["link_token": .string(alice.linkToken), "encrypted_message": .string(box),
                                           "from_link_token": .string(carol.linkToken)], auth: carol.bearer)
        #expect(send.status == 403)
    }

    @Test("get_message_requests pages newest first with limit and before_id, as /fetch does")
    func requestListPages() throws {
        let api = try makeAPI()
        let alice = try Recipient(client: api)
        var asked: [Int64] = []
        for _ in 0..<5 {
            let requester = try Recipient(client: api)
            let json = try api.expect(call(api, "/request_message_permission", ["from_link_token": .string(requester.linkToken),
                                                                                "to_link_token": .string(alice.linkToken)],
                                           auth: requester.bearer), 201, "request")
            asked.append(try #require(json["request_id"]?.int))
        }
        func page(_ fields: [String: JSON]) throws -> JSON {
            try api.expect(call(api, "/get_message_requests", fields.merging(["link_token": .string(alice.linkToken)]) { $1 },
                                auth: alice.bearer), 200, "get_message_requests \(fields)")
        }
        let newest = Array(asked.reversed())
        var pages: [[Int64]] = []
        var cursor: JSON = nil
        var more = true
        repeat {
            var fields: [String: JSON] = ["limit": 2]
            if cursor != nil { fields["before_id"] = cursor }
            let json = try page(fields)
            pages.append(ids(json))
            #expect(json["count"]?.int == Int64(ids(json).count))
            #expect(json["has_more"]?.bool == (pages.joined().count < 5))
            cursor = json["next_cursor"] ?? nil
            // The last id of every non-empty page, as /fetch answers it; has_more says when to stop.
            #expect(cursor == .int(ids(json).last ?? 0))
            more = json["has_more"]?.bool == true
        } while more && pages.count < 5
        #expect(pages == [Array(newest[0..<2]), Array(newest[2..<4]), [newest[4]]])
        let all = try page([:])
        #expect(ids(all) == newest && all["has_more"]?.bool == false && all["next_cursor"] == .int(newest[4]))
        let pastTheEnd = try page(["before_id": .int(newest[4])])
        #expect(ids(pastTheEnd).isEmpty && pastTheEnd["next_cursor"] == .int(newest[4]), "an empty page keeps the cursor")
        #expect(ids(try page(["limit": 0])) == [newest[0]], "limit is clamped, as /fetch clamps it")
        #expect(try call(api, "/get_message_requests", ["link_token": .string(alice.linkToken), "before_id": 0],
                         auth: alice.bearer).status == 400)
    }

    @Test("key_type: ed25519 echoed, anything else 400")
    func keyType() throws {
        let api = try makeAPI()
        let keys = Recipient.self  // keep the helper imported
        _ = keys
        let key = try Recipient(client: api).publicKeyBase64
        let ok = try api.expect(api.http.post("/register", json: ["public_key": .string(key), "key_type": "ed25519"]), 201, "ed25519")
        #expect(ok["key_type"]?.string == "ed25519")
        let bad = try api.http.post("/register", json: ["public_key": .string(key), "key_type": "rsa"])
        #expect(bad.status == 400)
    }
}
