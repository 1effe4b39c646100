import Sodium

/// A file of the sender page as it is served: under a name carrying a hash of
/// its content, so that it can be cached for good and a new build is never
/// mixed with an old one in a browser's cache.
struct WebAsset: Sendable {
    /// The file's name in `Web/` (or tweetnacl's `nacl.min.js`).
    let name: String
    /// `send.3f2a9c0177de4b60.js`: the name with 16 hex digits of its SHA-256.
    let servedName: String
    let contentType: String
    let body: [UInt8]
}

/// The page's files, embedded in the binary at build time (`EmbeddedWeb`, which
/// Plugins/EmbedWebPlugin generates): HTML templates, and the scripts and style
/// they load. Hashed once per process, on first use.
enum WebAssets {
    /// The types of the files served as they are; `.html` files are templates.
    private static let contentTypes = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]

    /// Scripts and style by their served name.
    static let served: [String: WebAsset] = {
        var assets: [String: WebAsset] = [:]
        for (name, text) in EmbeddedWeb.files {
            guard let dot = name.lastIndex(of: "."), let type = contentTypes[String(name[name.index(after: dot)...])] else { continue }
            let body = Array(text.utf8)
            let hash = SHA256.hexDigest(body).prefix(16)
            let servedName = "\(name[..<dot]).\(hash)\(name[dot...])"
            assets[servedName] = WebAsset(name: name, servedName: servedName, contentType: type, body: body)
        }
        return assets
    }()

    /// The served name of a script or style by its file name.
    static let servedNames: [String: String] = Dictionary(uniqueKeysWithValues: served.values.map { ($0.name, $0.servedName) })

    /// The text of an embedded file (a template); empty if there is none, which
    /// the tests rule out.
    static func text(of name: String) -> String {
        EmbeddedWeb.files.first { $0.name == name }?.text ?? ""
    }
}
