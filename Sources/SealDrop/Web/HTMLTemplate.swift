/// An HTML file of `Web/` with `{{slot}}` places for values, each escaped when
/// filled; `{{asset:page.css}}` places for the URL of a page file and
/// `{{include:head.html}}` places for another template (what every page shares)
/// are filled once, when the template is read. Nothing else is interpreted.
struct HTMLTemplate: Sendable {
    private enum Piece: Sendable {
        case text(String)
        case slot(String)
    }

    private let pieces: [Piece]

    /// The slots the template has, for the tests that check every one is filled.
    var slots: Set<String> {
        Set(pieces.compactMap { if case .slot(let name) = $0 { name } else { nil } })
    }

    /// - Parameter root: the relative URL of the API root from where the page is
    ///   served (`../` for `/l/{token}`), which page files and the API are found
    ///   under; relative, so that an install under a sub-folder needs no setting.
    init(_ text: String, root: String) {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            pieces.append(.text(String(rest[..<open.lowerBound])))
            let name = String(rest[open.upperBound..<close.lowerBound])
            if name.hasPrefix("asset:") {
                let file = String(name.dropFirst("asset:".count))
                pieces.append(.text(root + "assets/" + (WebAssets.servedNames[file] ?? file)))
            } else if name.hasPrefix("include:") {
                pieces += HTMLTemplate(WebAssets.text(of: String(name.dropFirst("include:".count))), root: root).pieces
            } else if name == "root" {
                pieces.append(.text(root))
            } else {
                pieces.append(.slot(name))
            }
            rest = rest[close.upperBound...]
        }
        pieces.append(.text(String(rest)))
        self.pieces = pieces
    }

    /// The page with every slot filled with its value, escaped; a slot without a
    /// value stays empty.
    func render(_ values: [String: String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        for piece in pieces {
            switch piece {
            case .text(let text): out.append(contentsOf: text.utf8)
            case .slot(let name): Self.appendEscaped(values[name] ?? "", to: &out)
            }
        }
        return out
    }

    /// Text made safe for element content and quoted attribute values alike: a
    /// display name is stored verbatim, so escaping is the page's job.
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
    }
}
