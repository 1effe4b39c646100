import Synchronization
import Glibc

/// A pipe that becomes readable, once and for good, when shutdown begins; busy
/// workers, which never wait on it, read the flag beside it between requests.
final class WakePipe: Sendable {
    let readEnd: Int32
    private let writeEnd: Int32
    private let signalled = Atomic<Bool>(false)

    var hasSignalled: Bool { signalled.load(ordering: .acquiring) }

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw ListenError(description: "cannot create the shutdown pipe: \(String(cString: strerror(errno)))")
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func signal() {
        signalled.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}
