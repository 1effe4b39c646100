import Sodium

/// The sender page a browser gets at `GET /l/{link_token}`, and the page it gets
/// instead when that fails (a friendly 404 for an unknown or removed link).
enum LinkPage {
    /// Pages live at `/l/{token}`, one level below the API root, whose `send` and
    /// `assets/` they reach relatively: the same page works from a sub-folder.
    static let root = "../"

    static let page = HTMLTemplate(WebAssets.text(of: "page.html"), root: root)
    static let errorPage = HTMLTemplate(WebAssets.text(of: "error.html"), root: root)

    /// Scripts and style from this server only, none inline (not even an
    /// attribute), no frames, and `fetch` to this server only; the page never
    /// submits a form, so a message typed with JavaScript off cannot leave in the
    /// clear either.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// What a page response carries besides the common headers. The link token is
    /// in the page's URL: no referrer may take it elsewhere.
    static let securityHeaders = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
    ]

    /// The page for writing to `client`; `key` is nil when the link has no usable
    /// encryption key (the page then says that nothing can be sent).
    static func response(for client: ClientRecord, key: X25519PublicKey?, limits: Limits) -> HTTPResponse {
        let body = page.render([
            "name": client.displayName.flatMap { $0.isEmpty ? nil : $0 } ?? "this link's owner",
            "link_token": client.linkToken,
            "key": key.map { Base64.encode($0.bytes) } ?? "",
            "fingerprint": key?.fingerprint ?? "none",
            "max_message_bytes": String(limits.maxCiphertextBytes),
        ])
        return html(.ok, body)
    }

    /// The page for a failed `GET /l/{link_token}`.
    static func response(for error: APIError) -> HTTPResponse {
        let title: String
        var message: String
        switch error.status {
        case .notFound:
            title = "This link does not work"
            message = "There is no SealDrop link at this address. It may have been copied incompletely, or its "
                + "owner removed it. Ask the person who gave it to you for their current link."
        default:
            title = "Something went wrong"
            message = "The page could not be shown: \(error.message) (error \(error.status.code))."
        }
        var response = html(error.status, [])
        if let retryAfter = error.headers.first(where: { $0.0 == "Retry-After" })?.1, let seconds = Int(retryAfter) {
            message += " Try again in \(seconds < 90 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes")."
            response.headers.append(("Retry-After", retryAfter))
        }
        response.body = errorPage.render(["title": title, "message": message])
        return response
    }

    private static func html(_ status: HTTPStatus, _ body: [UInt8]) -> HTTPResponse {
        var response = HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: body)
        response.headers.append(contentsOf: securityHeaders)
        return response
    }
}
