import Sodium

/// What `POST /register` answered.
public struct Registration: Sendable {
    public let clientID: Int64
    public let link: String
    public let linkToken: String
    public let fetchToken: String

    /// Reads the fields of a 201 response; throws when one is missing or mistyped.
    public init(_ json: JSON) throws {
        guard let clientID = json["client_id"]?.int, let link = json["link"]?.string,
            let linkToken = json["link_token"]?.string, let fetchToken = json["fetch_token"]?.string
        else { throw HTTPClientError("register response lacks client_id/link/link_token/fetch_token: \(json)") }
        self.clientID = clientID
        self.link = link
        self.linkToken = linkToken
        self.fetchToken = fetchToken
    }
}

/// A registered link owner with a real Ed25519 key pair, as a client app would be.
/// Not `Sendable` (it holds secret keys); concurrent tests share only its `linkToken`
/// and tokens, which are plain strings.
public final class Recipient {
    public let client: SealDropClient
    public let signingKeys: SigningKeyPair
    /// The key pair whose public half senders seal to: the explicit one given at
    /// registration, or the X25519 conversion of the signing key.
    public let boxKeys: BoxKeyPair
    public let registration: Registration

    /// Registers a fresh key pair; throws unless the server answers 201.
    /// With `explicitEncryptionKeys`, its public key is sent as `encryption_public_key`.
    public init(
        client: SealDropClient, displayName: String? = "E2E recipient", explicitEncryptionKeys: BoxKeyPair? = nil
    ) throws {
        let signingKeys = SigningKeyPair()
        let response = try client.register(
            publicKey: Base64.encode(signingKeys.publicKey.bytes), displayName: displayName,
            encryptionPublicKey: explicitEncryptionKeys.map { Base64.encode($0.publicKey.bytes) })
        self.client = client
        self.signingKeys = signingKeys
        self.boxKeys = explicitEncryptionKeys ?? signingKeys.encryptionKeyPair()
        self.registration = try Registration(client.expect(response, 201, "POST /register"))
    }

    public var linkToken: String { registration.linkToken }
    public var publicKeyBase64: String { Base64.encode(signingKeys.publicKey.bytes) }
    public var bearer: SealDropClient.Auth { .bearer(registration.fetchToken) }

    /// The base64 signature of `challenge`'s UTF-8 bytes, as the seed's clients make it.
    public func sign(_ challenge: String) -> String {
        Base64.encode(signingKeys.signature(for: Array(challenge.utf8)))
    }

    /// Asks for a challenge for this link (must be 200) and returns it with its signature.
    public func signedAuth() throws -> SealDropClient.Auth {
        let json = try client.expect(client.challenge(linkToken: linkToken), 200, "POST /challenge_request")
        guard let challenge = json["challenge"]?.string else {
            throw HTTPClientError("challenge response without a challenge string: \(json)")
        }
        return .signed(challenge: challenge, signature: sign(challenge))
    }

    /// The `data` array of a successful fetch with the fetch token.
    public func fetchMessages(includeSeen: Bool = false, limit: Int? = nil, beforeID: Int64? = nil) throws -> [JSON] {
        let response = try client.fetch(
            linkToken: linkToken, auth: bearer, includeSeen: includeSeen, limit: limit, beforeID: beforeID)
        guard let data = try client.expect(response, 200, "POST /fetch")["data"]?.array else {
            throw HTTPClientError("fetch response without a data array: \(response)")
        }
        return data
    }

    /// Opens a base64 sealed box addressed to this recipient; nil when it does not open.
    public func open(_ ciphertext: String) -> String? {
        guard let box = Base64.decode(ciphertext), let plain = SealedBox.open(box, with: boxKeys) else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}
