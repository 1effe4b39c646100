extension X25519PublicKey {
    /// Bytes of the SHA-256 digest a fingerprint shows: 80 bits, enough that nobody
    /// can make a second key with the same one, few enough to read out.
    public static let fingerprintByteCount = 10

    /// What a person compares to know a key is the one they expect: the first 10
    /// bytes of SHA-256 over the 32 key bytes, as lowercase hex in five groups of
    /// four (`3f2a 9c01 77de 4b60 a1c5`). The sender page shows it, and `/l/` returns
    /// it so that the owner's app can show the same (README, "Sending from a browser").
    public var fingerprint: String {
        let hex = Hex.encode(Array(SHA256.hash(bytes).prefix(Self.fingerprintByteCount)))
        var grouped = ""
        for (index, character) in hex.enumerated() {
            if index > 0 && index % 4 == 0 { grouped.append(" ") }
            grouped.append(character)
        }
        return grouped
    }
}
