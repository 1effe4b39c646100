import Foundation

/// Runs `body(0..<count)` on `count` dedicated threads at once and returns the
/// results in index order. Real threads, not tasks: the HTTP client blocks, and the
/// cooperative pool has only as many threads as cores, which would serialize the
/// requests instead of racing them. A start gate releases all threads together.
public func runConcurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = LockedArray<T>(count: count)
    let ready = DispatchGroup()
    let finished = DispatchGroup()
    let gate = DispatchSemaphore(value: 0)
    for index in 0..<count {
        ready.enter()
        finished.enter()
        let thread = Thread {
            ready.leave()
            gate.wait()
            results.set(index, body(index))
            finished.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    ready.wait()
    for _ in 0..<count { gate.signal() }
    finished.wait()
    return results.values()
}

/// Fixed-size result slots written from several threads.
/// `@unchecked Sendable` is sound: every access to `slots` holds `lock`.
private final class LockedArray<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = value
    }

    func values() -> [T] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
