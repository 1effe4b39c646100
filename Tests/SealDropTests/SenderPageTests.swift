import Sodium
import Testing
@testable import SealDrop

/// `GET /l/{link_token}` for browsers and the page's files, driven through the
/// application on an in-memory store. (Tests/python/browser_test.py drives the page
/// itself in Chromium.)
@Suite struct SenderPageTests {
    static let browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

    let store = InMemoryStore()
    let application: Application

    init() throws {
        application = try Application.testing(on: store)
    }

    private func get(_ path: String, accept: String? = nil, method: String = "GET") -> HTTPResponse {
        application.respond(to: HTTPRequest(method: method, path: path, headers: accept.map { ["accept": $0] } ?? [:])).response
    }

    private func register(name: String) throws -> (link: String, key: X25519PublicKey) {
        let keys = SigningKeyPair()
        let body = #"{"public_key":"\#(Base64.encode(keys.publicKey.bytes))","display_name":"\#(name)"}"#
        let response = application.respond(to: HTTPRequest(method: "POST", path: "/register", body: Array(body.utf8))).response
        let link = try #require(try JSONParser.parse(response.body)["link_token"]?.string)
        return (link, keys.publicKey.x25519)
    }

    @Test func acceptChoosesThePageOnlyWhenHTMLIsPreferred() {
        for html in [Self.browserAccept, "text/html", "text/html, application/json;q=0.5", "text/*, application/json;q=0.1"] {
            #expect(AcceptHeader(html).prefersHTML, "\(html)")
        }
        for json in [nil, "", "*/*", "application/json", "application/json, text/html", "text/html;q=0.5, */*",
                     "text/html;q=0, */*", "text/plain", "garbage", "text/html;q=0.4, application/*;q=0.5"] {
            #expect(!AcceptHeader(json).prefersHTML, "\(String(describing: json))")
        }
    }

    @Test func jsonIsUnchangedButForTheFingerprintAndVary() throws {
        let (link, key) = try register(name: "Zoë")
        for accept in [nil, "*/*", "application/json"] {
            let response = get("/l/" + link, accept: accept)
            #expect(response.status == .ok)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("Vary") == "Accept")
            let info = try JSONParser.parse(response.body)
            #expect(info["encryption_public_key"]?.string == Base64.encode(key.bytes))
            #expect(info["encryption_key_fingerprint"]?.string == key.fingerprint)
            #expect(info["display_name"]?.string == "Zoë")
        }
    }

    @Test func aBrowserGetsThePageWithItsSafeguards() throws {
        let name = #"<script>alert(\"x\")</script> & 'Co'"#
        let (link, key) = try register(name: name)
        let response = get("/l/" + link, accept: Self.browserAccept)
        #expect(response.status == .ok)
        #expect(response.header("Content-Type") == "text/html; charset=utf-8")
        #expect(response.header("Vary") == "Accept")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.header("Referrer-Policy") == "no-referrer")
        let policy = try #require(response.header("Content-Security-Policy"))
        for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                          "frame-ancestors 'none'", "form-action 'none'"] {
            #expect(policy.contains(directive), "\(directive)")
        }
        #expect(response.header("Set-Cookie") == nil)
        let html = String(decoding: response.body, as: UTF8.self)
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;"))
        #expect(html.contains(key.fingerprint))
        #expect(html.contains(#"data-key="\#(Base64.encode(key.bytes))""#))
        #expect(html.contains(#"data-link-token="\#(link)""#))
        #expect(html.contains(#"data-max-message-bytes="16384""#))
        #expect(html.contains(#"data-send-url="../send""#))
        #expect(!html.contains("{{"), "an unfilled slot")
        // Every file it loads is relative, hashed and served.
        for name in ["page.css", "nacl.min.js", "send.js"] {
            let served = try #require(WebAssets.servedNames[name])
            #expect(html.contains(#""../assets/\#(served)""#), "\(name)")
        }
        // HEAD: the same headers, no body.
        let head = get("/l/" + link, accept: Self.browserAccept, method: "HEAD")
        #expect(head.body.isEmpty && head.header("Content-Security-Policy") == policy)
    }

    @Test func anUnknownLinkIsAFriendly404PageForABrowserOnly() throws {
        let page = get("/l/link_" + String(repeating: "A", count: 32), accept: Self.browserAccept)
        #expect(page.status == .notFound)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.header("Content-Security-Policy") != nil)
        #expect(page.header("Vary") == "Accept")
        #expect(String(decoding: page.body, as: UTF8.self).contains("This link does not work"))
        let json = get("/l/link_" + String(repeating: "A", count: 32))
        #expect(json.status == .notFound && json.header("Content-Type") == "application/json")
        #expect(try JSONParser.parse(json.body)["error"]?.string == "Invalid link_token")
    }

    @Test func aDatabaseOutageIsAPageWithWhenToTryAgain() {
        store.available = false
        let page = get("/l/link_" + String(repeating: "B", count: 32), accept: Self.browserAccept)
        #expect(page.status == .serviceUnavailable)
        #expect(page.header("Retry-After") == "5")
        #expect(String(decoding: page.body, as: UTF8.self).contains("Try again in 5 seconds."))
    }

    @Test func filesAreServedForGoodWithoutTheDatabase() throws {
        store.available = false
        #expect(WebAssets.served.count == 3)
        for asset in WebAssets.served.values {
            let response = get("/assets/" + asset.servedName)
            #expect(response.status == .ok, "\(asset.servedName)")
            #expect(response.body == asset.body)
            #expect(response.header("Cache-Control") == "public, max-age=31536000, immutable")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("Content-Type") == (asset.name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"))
            #expect(asset.servedName.wholeMatch(of: /[a-z.]+\.[0-9a-f]{16}\.(js|css)/) != nil, "\(asset.servedName)")
            #expect(SHA256.hexDigest(asset.body).hasPrefix(String(asset.servedName.split(separator: ".").dropLast().last ?? "")))
        }
        #expect(get("/assets/send.js").status == .notFound)
        #expect(get("/assets/send.0000000000000000.js").status == .notFound)
        // The whole page stays within the issue's budget.
        let total = WebAssets.served.values.reduce(0) { $0 + $1.body.count } + WebAssets.text(of: "page.html").utf8.count
        #expect(total < 60 * 1024, "\(total) bytes")
    }

    @Test func templatesHaveOnlySlotsThePagesFill() {
        #expect(LinkPage.page.slots == ["name", "link_token", "key", "fingerprint", "max_message_bytes"])
        #expect(LinkPage.errorPage.slots == ["title", "message"])
        #expect(HTMLTemplate("a{{x}}b{{asset:page.css}}c{{root}}", root: "../").render(["x": "<&>"])
            == Array("a&lt;&amp;&gt;b../assets/\(WebAssets.servedNames["page.css"] ?? "?")c../".utf8))
    }
}

private extension JSONValue {
    var string: String? { if case .string(let text) = self { text } else { nil } }
}
