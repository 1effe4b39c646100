import Sodium
import Testing
import TestSupport

/// The seed's whole flow with a real libsodium client, through nginx, the
/// responder and MariaDB: register → look up the link → seal → send → challenge →
/// sign → fetch → open → ack → fetch again.
@Suite("Full flow")
struct FlowTests {
    @Test("Flow with the encryption key derived from the Ed25519 key")
    func derivedKeyFlow() throws {
        let api = try makeAPI()
        let recipient = try Recipient(client: api, displayName: "Alice")

        let infoResponse = try api.linkInfo(recipient.linkToken)
        expectAPIHeaders(infoResponse)
        let info = try api.expect(infoResponse, 200, "GET /l/{token}")
        #expect(info["link_token"]?.string == recipient.linkToken)
        #expect(info["display_name"]?.string == "Alice")
        #expect(info["public_key"]?.string == recipient.publicKeyBase64)
        let derived = Base64.encode(recipient.signingKeys.publicKey.x25519.bytes)
        #expect(info["encryption_public_key"]?.string == derived)
        expectRecentTimestamp(info["created_at"]?.string)

        let plaintext = "Hello Alice – ünïcødé 🚀"
        let ciphertext = try api.seal(plaintext, forLink: recipient.linkToken)
        let sendResponse = try api.send(
            linkToken: recipient.linkToken, ciphertext: ciphertext, metadata: ["sender_nick": "Bob"])
        expectAPIHeaders(sendResponse)
        let sent = try api.expect(sendResponse, 201, "POST /send")
        #expect(sent["message"]?.string?.isEmpty == false)
        let id = try #require(sent["id"]?.int, "send answered without an integer id: \(sent)")

        let challengeResponse = try api.challenge(linkToken: recipient.linkToken)
        expectAPIHeaders(challengeResponse)
        let challenge = try #require(
            try api.expect(challengeResponse, 200, "POST /challenge_request")["challenge"]?.string)
        #expect(challenge.hasPrefix("sd1.") && challenge.count == 58, "\(challenge)")
        #expect(Base64.decodeURLSafeNoPadding(String(challenge.dropFirst(4)))?.count == 40,
                "challenge is not sd1. and base64url of 40 bytes: \(challenge)")

        let fetchResponse = try api.fetch(
            linkToken: recipient.linkToken,
            auth: .signed(challenge: challenge, signature: recipient.sign(challenge)))
        expectAPIHeaders(fetchResponse)
        let fetched = try api.expect(fetchResponse, 200, "POST /fetch (signed)")
        #expect(fetched["message"]?.string?.isEmpty == false)
        let data = try #require(fetched["data"]?.array)
        #expect(data.count == 1)
        let message = try #require(data.first)
        #expect(message["id"]?.int == id)
        #expect(message["encrypted_message"]?.string == ciphertext)
        #expect(message["seen"] == .bool(false))
        #expect(message["metadata"] == ["sender_nick": "Bob"])
        expectRecentTimestamp(message["created_at"]?.string)
        #expect(recipient.open(ciphertext) == plaintext)
        #expect(message["encrypted_message"]?.string.flatMap(recipient.open) == plaintext)

        let ackResponse = try api.ack(linkToken: recipient.linkToken, messageIDs: [id], auth: recipient.bearer)
        expectAPIHeaders(ackResponse)
        let acked = try api.expect(ackResponse, 200, "POST /ack")
        #expect(acked["count"] == .int(1))
        #expect(acked["message"]?.string?.isEmpty == false)

        #expect(try recipient.fetchMessages().isEmpty, "an acknowledged message is still returned as unseen")
        let all = try recipient.fetchMessages(includeSeen: true)
        #expect(all.count == 1)
        #expect(all.first?["id"]?.int == id)
        #expect(all.first?["seen"] == .bool(true))
        #expect(all.first?["encrypted_message"]?.string == ciphertext)
    }

    @Test("Flow with an explicit encryption_public_key given at registration")
    func explicitKeyFlow() throws {
        let api = try makeAPI()
        let boxKeys = BoxKeyPair()
        let recipient = try Recipient(client: api, displayName: nil, explicitEncryptionKeys: boxKeys)

        let info = try api.expect(api.linkInfo(recipient.linkToken), 200, "GET /l/{token}")
        #expect(info["encryption_public_key"]?.string == Base64.encode(boxKeys.publicKey.bytes))
        #expect(info["encryption_public_key"]?.string != Base64.encode(recipient.signingKeys.publicKey.x25519.bytes))
        #expect(info["public_key"]?.string == recipient.publicKeyBase64)
        #expect(info["display_name"] == .null)

        let plaintext = "sealed to the explicit key"
        let ciphertext = try api.seal(plaintext, forLink: recipient.linkToken)
        let id = try #require(
            try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: ciphertext), 201, "POST /send")["id"]?
                .int)

        let data = try recipient.fetchMessages()
        #expect(data.count == 1)
        #expect(data.first?["id"]?.int == id)
        #expect(data.first?["metadata"] == .null)
        let received = try #require(data.first?["encrypted_message"]?.string)
        #expect(recipient.open(received) == plaintext)
        #expect(
            Base64.decode(received).flatMap { SealedBox.open($0, with: recipient.signingKeys.encryptionKeyPair()) }
                == nil, "a box sealed to the explicit key opened with the derived key")

        // Challenge-response still uses the Ed25519 key, whatever the encryption key.
        let signed = try api.fetch(linkToken: recipient.linkToken, auth: recipient.signedAuth())
        #expect(try api.expect(signed, 200, "POST /fetch (signed)")["data"]?.array?.count == 1)
    }

    @Test("Token formats and the link in the /register response")
    func tokenFormats() throws {
        let api = try makeAPI()
        let first = try Recipient(client: api)
        let second = try Recipient(client: api)
        for registration in [first.registration, second.registration] {
            #expect(matches(registration.linkToken, "link_[A-Za-z0-9_-]{32}"), "link_token \(registration.linkToken)")
            #expect(matches(registration.fetchToken, "[A-Za-z0-9_-]{64}"), "fetch_token has the wrong shape")
            #expect(registration.link == api.http.baseURL + "/l/" + registration.linkToken)
            #expect(registration.clientID > 0)
        }
        #expect(first.linkToken != second.linkToken)
        #expect(first.registration.fetchToken != second.registration.fetchToken)
        #expect(first.registration.clientID != second.registration.clientID)

        let response = try api.register(publicKey: Base64.encode(SigningKeyPair().publicKey.bytes))
        expectAPIHeaders(response)
        let json = try api.expect(response, 201, "POST /register")
        #expect(json["message"]?.string?.isEmpty == false)
        #expect(json["client_id"]?.int != nil, "client_id is not an integer: \(json)")
    }

    @Test("Display names are stored verbatim")
    func displayNameVerbatim() throws {
        let api = try makeAPI()
        let names = [
            "<b>Ünïcødé 🚀</b>  ", "  leading and trailing  ", "quote \" backslash \\ tab \t newline \n",
            "e\u{301} combining", "&lt;not unescaped&gt;", String(repeating: "é", count: 255),
            String(repeating: "🚀", count: 255),
        ]
        for name in names {
            let recipient = try Recipient(client: api, displayName: name)
            let info = try api.expect(api.linkInfo(recipient.linkToken), 200, "GET /l/{token}")
            #expect(info["display_name"]?.string == name, "display name came back changed")
        }
    }

    @Test("JSON escapes in a request are decoded")
    func jsonEscapes() throws {
        let api = try makeAPI()
        let key = Base64.encode(SigningKeyPair().publicKey.bytes)
        let escapedKey = key.replacingOccurrences(of: "/", with: "\\/")
        let body = #"{"public_key":"\#(escapedKey)","display_name":"caf\u00e9 \/ \ud83d\ude80 \"q\""}"#
        let registration = try Registration(api.expect(api.http.post("/register", text: body), 201, "POST /register"))
        let info = try api.expect(api.linkInfo(registration.linkToken), 200, "GET /l/{token}")
        #expect(info["display_name"]?.string == "café / 🚀 \"q\"")
        #expect(info["public_key"]?.string == key)
    }

    @Test("A display name that is absent or null is returned as null")
    func displayNameNull() throws {
        let api = try makeAPI()
        let key = Base64.encode(SigningKeyPair().publicKey.bytes)
        let response = try api.http.post("/register", json: ["public_key": .string(key), "display_name": nil])
        let registration = try Registration(api.expect(response, 201, "POST /register with display_name null"))
        let info = try api.expect(api.linkInfo(registration.linkToken), 200, "GET /l/{token}")
        #expect(info["display_name"] == .null)
    }
}
