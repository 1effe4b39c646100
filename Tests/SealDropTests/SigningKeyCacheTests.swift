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
        for index in 0..<2048 { cache.remember("old", for: "old_\(index)", now: 0) }
        for index in 0..<2048 { cache.remember("live", for: "live_\(index)", now: 30_000_000) }
        // Full; at 61 s the first half has lapsed and goes, the second half stays.
        cache.remember("newer", for: "link_newer", now: 61_000_000)
        #expect(cache.key(for: "link_newer", now: 61_000_001) == "newer")
        #expect(cache.key(for: "live_7", now: 61_000_001) == "live", "a live entry went while lapsed ones made room")
        #expect(cache.key(for: "old_7", now: 0) == nil, "a lapsed entry stayed")

        // Full of live entries only: all go, and the new one stays.
        var busy = SigningKeyCache()
        for index in 0..<4096 { busy.remember("k", for: "link_\(index)", now: 0) }
        busy.remember("fresh", for: "link_fresh", now: 1)
        #expect(busy.key(for: "link_fresh", now: 2) == "fresh")
        #expect(busy.key(for: "link_0", now: 2) == nil)
    }
}
