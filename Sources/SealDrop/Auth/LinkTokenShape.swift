/// What a link token can look like: the original server's and SealDrop's are
/// base64url (`link_` + 32 characters), at most 128 characters in the schema.
enum LinkTokenShape {
    /// False for anything no link can have, so it is refused (404) before the
    /// database sees it. The database compares tokens with a collation that
    /// ignores trailing spaces; refusing every other character keeps a match exact.
    static func isPlausible(_ token: String) -> Bool {
        let bytes = token.utf8
        return !bytes.isEmpty && bytes.count <= 128 && bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
