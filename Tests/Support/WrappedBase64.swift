import Sodium

/// Base64 as encoders that wrap it write it.
public enum WrappedBase64 {
    /// Android's `Base64.encodeToString(bytes, Base64.DEFAULT)`, and Python's
    /// `base64.encodebytes`: lines of 76 characters, each ended by `\n`, the last too.
    public static func android(_ bytes: [UInt8]) -> String {
        lines(bytes).map { $0 + "\n" }.joined()
    }

    /// Java's `Base64.getMimeEncoder()`: lines of 76 joined by `\r\n`, none after the last.
    public static func mime(_ bytes: [UInt8]) -> String {
        lines(bytes).joined(separator: "\r\n")
    }

    /// Standard base64 with a newline at the end only, as `echo`, `openssl base64`
    /// (under 64 characters) and many hand-written clients leave it.
    public static func trailingNewline(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes) + "\n"
    }

    private static func lines(_ bytes: [UInt8]) -> [String] {
        var rest = Substring(Base64.encode(bytes))
        var lines: [String] = []
        while !rest.isEmpty {
            lines.append(String(rest.prefix(76)))
            rest = rest.dropFirst(76)
        }
        return lines
    }
}
