import Testing
@testable import SealDrop

@Suite("Mailbox recount throttle")
struct RecountThrottleTests {
    @Test("a link is recounted at most once a minute, each link on its own")
    func oncePerMinutePerLink() {
        var throttle = RecountThrottle()
        let answers = [throttle.shouldRecount("link_a", now: 1_000_000),
                       throttle.shouldRecount("link_a", now: 1_000_001),
                       throttle.shouldRecount("link_a", now: 60_999_999),
                       throttle.shouldRecount("link_b", now: 2_000_000),
                       throttle.shouldRecount("link_a", now: 61_000_000)]
        #expect(answers == [true, false, false, true, true])
    }

    @Test("it remembers a bounded number of links")
    func bounded() {
        var throttle = RecountThrottle()
        var admitted = 0
        for index in 0..<1024 where throttle.shouldRecount("link_\(index)", now: 0) { admitted += 1 }
        #expect(admitted == 1024)
        let whileFull = throttle.shouldRecount("one more", now: 1)
        #expect(!whileFull, "full of recent entries: no recount")
        let later = throttle.shouldRecount("one more", now: 60_000_001)
        #expect(later, "old entries make room")
    }
}
