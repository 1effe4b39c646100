import Sodium

/// `POST /send`: anyone holding a link drops a sealed box for its owner.
struct SendEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let body = try context.body()
        let linkToken = try body.requireString("link_token")
        let ciphertext = try body.requireBase64("encrypted_message")
        let limits = context.limits

        // Refuse by length first, so an oversized message is never decoded (the
        // whitespace is gone already: the limit counts decoded bytes).
        guard ciphertext.utf8.count <= (limits.maxCiphertextBytes + 2) / 3 * 4 else {
            throw APIError.tooLarge("Encrypted message too large (max \(limits.maxCiphertextBytes / 1024)KB)")
        }
        // The server never opens the box, so only its encoding and size are checked.
        guard let sealedCount = Base64.decodedByteCount(ciphertext) else {
            throw APIError.badRequest("Invalid base64 for encrypted_message")
        }
        guard sealedCount <= limits.maxCiphertextBytes else {
            throw APIError.tooLarge("Encrypted message too large (max \(limits.maxCiphertextBytes / 1024)KB)")
        }
        guard sealedCount >= limits.minCiphertextBytes else {
            throw APIError.badRequest("encrypted_message is too short to be a sealed box (min \(limits.minCiphertextBytes) bytes)")
        }

        var metadataJSON: String?
        if let metadata = body.optional("metadata") {
            let text = metadata.serialized
            guard text.utf8.count <= limits.maxMetadataBytes else {
                throw APIError.tooLarge("Metadata too large (max \(limits.maxMetadataBytes / 1024)KB)")
            }
            guard metadata.nesting <= limits.maxMetadataNesting else {
                throw APIError.badRequest("metadata is nested too deeply (max \(limits.maxMetadataNesting) levels)")
            }
            metadataJSON = text
        }
        guard LinkTokenShape.isPlausible(linkToken) else { throw APIError.unknownLink }
        // The proof fields are read even when an anonymous send ignores them, so one
        // of the wrong type is 400 either way, as for every other field.
        _ = try Authenticator.signedChallenge(in: body)
        // An empty sender is no sender, as null is: the original read both as an
        // anonymous send, and clients that always send the field send "" then.
        if let sender = try body.optionalString("from_link_token"), !sender.isEmpty {
            try checkPermission(from: sender, to: linkToken, body: body, context: context)
        }

        let abuse = context.configuration.abuse
        let mailbox = MailboxLimits(maxUnseenMessages: abuse.mailboxMaxMessages, maxUnseenBytes: abuse.mailboxMaxBytes,
                                    sendsPerWindow: abuse.linkSendsPerWindow, windowSeconds: abuse.linkWindowSeconds)
        let message = NewMessage(linkToken: linkToken, encryptedMessage: ciphertext, metadataJSON: metadataJSON)
        switch try context.store.insertMessage(message, limits: mailbox) {
        case .stored(let id):
            return .json(.created) { json in
                json.field("message", "Message sent successfully")
                json.field("id", id)
            }
        case .unknownLink: throw APIError.unknownLink
        case .mailboxFull:
            // The recipient has to fetch and acknowledge first; that takes a while.
            throw APIError.tooManyRequests("The recipient's mailbox is full", retryAfter: 600)
        case .rateLimited:
            // The rate drains continuously: room for one more send comes this soon.
            let interval = (abuse.linkWindowSeconds + abuse.linkSendsPerWindow - 1) / max(1, abuse.linkSendsPerWindow)
            throw APIError.tooManyRequests("Too many messages to this link; slow down", retryAfter: max(1, interval))
        }
    }

    /// A send naming its sender must prove it owns that link (link tokens are
    /// public) and must have been accepted by the recipient.
    private func checkPermission(from sender: String, to recipient: String, body: RequestBody,
                                 context: EndpointContext) throws {
        guard let senderClient = try context.client(sender) else { throw APIError.notFound("Invalid from_link_token") }
        try context.authenticator.authenticate(senderClient, body: body)
        let permitted = try context.store.isPermitted(from: senderClient.linkToken, to: recipient)
        guard permitted else {
            _ = try context.requireClient(recipient)
            throw APIError(.forbidden, "Permission denied. Please request permission first.",
                           fields: [("action_required", "request_permission")])
        }
    }
}
