import Foundation
import Synchronization

/// Clients on dedicated threads sending requests back to back until stopped, each
/// outcome recorded: for tests that break something under load and then ask which
/// requests failed. Each thread opens a fresh connection per request (as
/// ``HTTPClient`` does), so `connections` is how many requests are in flight at once.
public final class BackgroundLoad: Sendable {
    /// One request's outcome: its status (0 when the connection failed), what the
    /// thread's body made of it, which thread sent it, and when it started and ended
    /// (seconds since the load began).
    public struct Outcome: Sendable {
        public let status: Int
        public let tag: String
        public let thread: Int
        public let startedAt: Double
        public let endedAt: Double
    }

    private let stopping = Atomic<Bool>(false)
    private let outcomes = Mutex<[Outcome]>([])
    private let finished = DispatchGroup()
    private let started = ContinuousClock.now

    /// Starts `connections` threads; thread `t` runs `request(t, n)` for n = 0, 1, …
    /// and records the status and tag it returns (a thrown error counts as status 0).
    public init(connections: Int, request: @escaping @Sendable (_ thread: Int, _ sequence: Int) throws -> (Int, String)) {
        for thread in 0..<connections {
            finished.enter()
            let worker = Thread { [self] in
                var sequence = 0
                while !stopping.load(ordering: .relaxed) {
                    let startedAt = secondsSinceStart
                    let result: (Int, String)
                    do { result = try request(thread, sequence) } catch { result = (0, "\(error)") }
                    let outcome = Outcome(status: result.0, tag: result.1, thread: thread, startedAt: startedAt,
                                          endedAt: secondsSinceStart)
                    outcomes.withLock { $0.append(outcome) }
                    sequence += 1
                }
                finished.leave()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
    }

    public var secondsSinceStart: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Every outcome so far.
    public var recorded: [Outcome] { outcomes.withLock { $0 } }

    /// Stops the threads after their current request and returns every outcome.
    public func stop() -> [Outcome] {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
        return recorded
    }
}
