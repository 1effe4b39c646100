import Glibc
import MariaDB

/// Runs a store call again when the server rolled its transaction back as a whole
/// because it collided with another one: an InnoDB deadlock or lock wait timeout,
/// and, on a Galera cluster, a certification conflict (another node committed a
/// write to a row this transaction wrote first; it surfaces as a deadlock, at commit
/// or at the next statement, also from inside a stored procedure). Nothing of the
/// transaction took effect, so running it again is safe, and it then sees the
/// winner's write.
///
/// Colliding transactions started together, so each attempt first waits a random
/// time below a bound that doubles per attempt ("full jitter"): they come back
/// apart instead of colliding again. Measured on a 3-node cluster: 6 senders on one
/// link across the nodes had 21 % of their sends fail with three immediate attempts.
struct ConflictRetry {
    /// Attempts in all; the pauses between them add up to 0.4 s at most.
    static let maxAttempts = 12
    private static let firstBoundMicroseconds: UInt32 = 1_000
    private static let largestBoundMicroseconds: UInt32 = 64_000

    private(set) var attempt = 1

    /// Whether `error` rolled back the whole transaction, so that it may run again.
    /// Also the auto-increment read failure concurrent `INSERT … SELECT` can meet under load.
    static func covers(_ error: MariaDBError) -> Bool {
        error.isTransactionRetryable || error.code == .autoIncrementReadFailed
    }

    /// Sleeps before the next attempt and returns true, or returns false when the
    /// attempts are used up (the caller then answers 503, never 500).
    mutating func pauseBeforeNextAttempt() -> Bool {
        guard attempt < Self.maxAttempts else { return false }
        let bound = min(Self.largestBoundMicroseconds, Self.firstBoundMicroseconds << min(attempt - 1, 6))
        usleep(UInt32.random(in: 0...bound))
        attempt += 1
        return true
    }
}
