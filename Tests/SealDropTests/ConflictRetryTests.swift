import MariaDB
import Testing
@testable import SealDrop

@Suite("Retry on a conflict")
struct ConflictRetryTests {
    @Test("a transaction rolled back whole (deadlock or certification conflict, lock wait, auto-increment) runs again; nothing else")
    func coversWhatRolledBackWhole() {
        for code: UInt32 in [1213, 1205, 1467] { #expect(ConflictRetry.covers(MariaDBError(code: .init(rawValue: code), message: "")), "\(code)") }
        for code: UInt32 in [1062, 1047, 2013, 1064] { #expect(!ConflictRetry.covers(MariaDBError(code: .init(rawValue: code), message: "")), "\(code)") }
    }

    @Test("it gives up after a bounded number of attempts, with pauses that stay short")
    func bounded() {
        var retry = ConflictRetry()
        let started = ContinuousClock.now
        var pauses = 0
        while retry.pauseBeforeNextAttempt() { pauses += 1 }
        #expect(pauses == ConflictRetry.maxAttempts - 1)
        #expect(ContinuousClock.now - started < .seconds(1))
        let again = retry.pauseBeforeNextAttempt()
        #expect(!again)
    }
}
