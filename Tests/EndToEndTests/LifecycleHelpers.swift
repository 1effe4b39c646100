import Sodium
import TestSupport

/// Calls an endpoint with a JSON body and the given proof of link ownership.
func call(_ api: SealDropClient, _ path: String, _ fields: [String: JSON], auth: SealDropClient.Auth = .none) throws -> HTTPResponse {
    try api.call(path, fields, auth: auth)
}

/// Sends `count` sealed messages to the recipient and returns their ids in order.
func sendMessages(_ api: SealDropClient, to recipient: Recipient, count: Int, prefix: String = "m") throws -> [Int64] {
    let key = recipient.boxKeys.publicKey
    return try (0..<count).map { index in
        let box = Base64.encode(SealedBox.seal(Array("\(prefix)\(index)".utf8), to: key))
        let json = try api.expect(api.send(linkToken: recipient.linkToken, ciphertext: box), 201, "POST /send")
        guard let id = json["id"]?.int else { throw HTTPClientError("send answered without id: \(json)") }
        return id
    }
}

func ids(_ json: JSON) -> [Int64] {
    (json["data"]?.array ?? []).compactMap { $0["id"]?.int }
}
