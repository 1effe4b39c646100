import Synchronization
import Glibc

/// One byte per worker position in memory the master shares with its workers:
/// a worker sets its byte when it takes its first request, and the master reads
/// it once the worker has died, to tell a worker a request killed (replaced at
/// once) from one that never got going (replaced after a back-off).
final class SharedLatchPage: @unchecked Sendable {
    // @unchecked: the master writes a byte only while no worker holds that
    // position (before fork) and reads it only after `waitpid` saw the worker
    // exit, which orders the worker's write before the read; within a worker,
    // ``FirstRequestLatch`` lets exactly one thread write, once.
    private let bytes: UnsafeMutablePointer<UInt8>
    private let count: Int

    init(count: Int) throws {
        let memory = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let memory, memory != MAP_FAILED else {
            throw ListenError(description: "cannot map memory shared with the workers: \(String(cString: strerror(errno)))")
        }
        self.count = count
        bytes = memory.bindMemory(to: UInt8.self, capacity: count)
        bytes.initialize(repeating: 0, count: count)
    }

    deinit { munmap(bytes, count) }

    func reset(_ index: Int) { bytes[index] = 0 }
    func isOpen(_ index: Int) -> Bool { bytes[index] != 0 }
    fileprivate func open(_ index: Int) { bytes[index] = 1 }
}

/// Opened by a worker process when it takes its first request; see ``Supervisor``.
public final class FirstRequestLatch: Sendable {
    private let page: SharedLatchPage?
    private let index: Int
    private let opened = Atomic<Bool>(false)

    init(page: SharedLatchPage, index: Int) {
        self.page = page
        self.index = index
    }

    /// A latch nobody reads: a responder without a supervisor.
    public init() {
        page = nil
        index = 0
    }

    /// Cheap after the first call: one atomic load per request.
    public func open() {
        guard !opened.load(ordering: .relaxed), !opened.exchange(true, ordering: .relaxed) else { return }
        page?.open(index)
    }
}
