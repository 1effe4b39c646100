/// Sizes and counts SealDrop refuses to exceed; each configurable.
public struct Limits: Sendable {
    /// Refused from `CONTENT_LENGTH`, before reading.
    public var maxBodyBytes = 64 * 1024
    /// Decoded sealed box: the original server's 16 KiB.
    public var maxCiphertextBytes = 16 * 1024
    /// A sealed box is never shorter than its 48-byte overhead.
    public var minCiphertextBytes = 48
    public var maxMetadataBytes = 4 * 1024
    /// Arrays and objects nested inside one another in metadata. MariaDB's JSON
    /// check on the `metadata` column refuses a document nested deeper (31 is its
    /// most), so deeper metadata is refused here as a 400, before the insert would
    /// fail as a 500. Not a setting: the database decides it.
    public let maxMetadataNesting = 31
    public var maxDisplayNameCharacters = 255
    public var challengeLifetimeSeconds = 300
    public var maxAckIDs = 1000
    /// Entries a page of `/fetch` or `/get_message_requests` holds, unless `limit` asks
    /// for fewer or more (up to the most).
    public var defaultPageSize = 50
    public var maxPageSize = 200

    mutating func read(from reader: SettingReader) throws(ConfigurationError) {
        maxBodyBytes = try reader.integer("SEALDROP_MAX_BODY_BYTES", in: 1024...(16 << 20)).map(Int.init) ?? maxBodyBytes
        maxCiphertextBytes = try reader.integer("SEALDROP_MAX_MESSAGE_BYTES", in: 48...(8 << 20)).map(Int.init) ?? maxCiphertextBytes
        maxMetadataBytes = try reader.integer("SEALDROP_MAX_METADATA_BYTES", in: 0...(1 << 20)).map(Int.init) ?? maxMetadataBytes
        challengeLifetimeSeconds = try reader.integer("SEALDROP_CHALLENGE_TTL_SECONDS", in: 10...3600).map(Int.init) ?? challengeLifetimeSeconds
        // No longer used (issuing a challenge holds nothing per link since 0.11), but
        // still read, so an old .env with a bad value is refused as it was.
        _ = try reader.integer("SEALDROP_MAX_OUTSTANDING_CHALLENGES", in: 1...100)
        // A base64 body is 4/3 of the ciphertext plus the JSON around it.
        let needed = maxCiphertextBytes / 3 * 4 + maxMetadataBytes + 1024
        guard maxBodyBytes >= needed else {
            throw ConfigurationError(description: "SEALDROP_MAX_BODY_BYTES must be at least \(needed) to carry the largest allowed message.")
        }
    }
}
