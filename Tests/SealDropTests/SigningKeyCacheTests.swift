import Testing
@testable import SealDrop

@Suite("Signing key cache")
struct SigningKeyCacheTests {
    @Test("a key is answered for a minute after it was read, then read again")
    func lapsesAfterAMinute() {
        var cache = SigningKeyCache()
        #expect(cache.key(for: "link_a", now: 0) == nil)
        cache.remember("key-a", for: "link_a", now: 1_000_000)
        #expect(cache.key(for: "link_a", now: 60_999_999) == "key-a")
        #expect(cache.key(for: "link_a", now: 61_000_000) == nil)
        #expect(cache.key(for: "link_b", now: 1_000_001) == nil)
    }

    @Test("a removed link is forgotten at once")
    func forget() {
        var cache = SigningKeyCache()
        cache.remember("key-a", for: "link_a", now: 0)
        cache.forget("link_a")
        #expect(cache.key(for: "link_a", now: 1) == nil)
    }

    @Test("it holds a bounded number of links, making room from lapsed ones first")
    func bounded() {
        var cache = SigningKeyCache()
        for index in 0..<4096 { cache.remember("old-\(index)", for: "link_\(index)", now: 0) }
        cache.remember("fresh", for: "link_fresh", now: 30_000_000)
        // Full of live entries: everything goes to make room, the new one stays.
        #expect(cache.key(for: "link_fresh", now: 30_000_001) == "fresh")
        #expect(cache.key(for: "link_0", now: 30_000_001) == nil)
        for index in 0..<4095 { cache.remember("k", for: "other_\(index)", now: 30_000_000) }
        cache.remember("newer", for: "link_newer", now: 61_000_000)
        // Now all 4096 entries are a minute old: only they go.
        #expect(cache.key(for: "link_newer", now: 61_000_001) == "newer")
        #expect(cache.key(for: "other_1", now: 61_000_001) == nil)
    }
}
