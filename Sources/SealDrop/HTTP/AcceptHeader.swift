/// The `Accept` header, read far enough to choose between the two forms of
/// `GET /l/{link_token}`: the JSON every client has used, and the sender page.
struct AcceptHeader {
    private let ranges: [(type: String, subtype: String, quality: Double)]

    init(_ header: String?) {
        ranges = (header ?? "").split(separator: ",").compactMap { item in
            let parts = item.split(separator: ";")
            guard let range = parts.first else { return nil }
            let type = range.split(separator: "/", maxSplits: 1)
            guard type.count == 2 else { return nil }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingSpaces().lowercased() == "q" {
                    quality = Double(pair[1].trimmingSpaces()).map { min(max($0, 0), 1) } ?? 0
                }
            }
            return (type[0].trimmingSpaces().lowercased(), type[1].trimmingSpaces().lowercased(), quality)
        }
    }

    /// The quality the header gives a media type: that of the most specific range
    /// matching it (`text/html` over `text/*` over `*/*`), 0 when none does, 1
    /// when there is no header at all (RFC 9110, 12.5.1).
    func quality(of mediaType: String) -> Double {
        guard !ranges.isEmpty else { return 1 }
        let parts = mediaType.split(separator: "/")
        var best: (specificity: Int, quality: Double) = (-1, 0)
        for range in ranges {
            let specificity: Int
            if range.type == parts[0] && range.subtype == parts[1] { specificity = 2 }
            else if range.type == parts[0] && range.subtype == "*" { specificity = 1 }
            else if range.type == "*" && range.subtype == "*" { specificity = 0 }
            else { continue }
            if specificity > best.specificity { best = (specificity, range.quality) }
        }
        return best.quality
    }

    /// HTML only when it is preferred outright: a browser's `text/html,…,*/*;q=0.8`
    /// is; `application/json`, `*/*` and no header at all keep today's JSON, so no
    /// existing client sees a change.
    var prefersHTML: Bool {
        quality(of: "text/html") > quality(of: "application/json")
    }
}
