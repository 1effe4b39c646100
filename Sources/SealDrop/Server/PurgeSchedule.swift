import Synchronization

/// When this process next purges: one worker claims each turn, the others
/// carry on serving.
enum PurgeSchedule {
    private static let nextDueMicroseconds = Atomic<Int64>(0)

    /// True for exactly one caller per interval.
    static func claim(intervalSeconds: Int) -> Bool {
        let now = monotonicMicroseconds()
        let due = nextDueMicroseconds.load(ordering: .relaxed)
        guard now >= due else { return false }
        return nextDueMicroseconds.compareExchange(
            expected: due, desired: now + Int64(intervalSeconds) * 1_000_000, ordering: .relaxed).exchanged
    }

    /// For the caller that claimed this turn: the next one comes after `seconds`
    /// instead of the interval.
    static func comeBack(after seconds: Int) {
        nextDueMicroseconds.store(monotonicMicroseconds() + Int64(seconds) * 1_000_000, ordering: .relaxed)
    }
}
