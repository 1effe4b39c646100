import Glibc

/// Microseconds from a monotonic clock, for durations and throttles that must not
/// jump with the wall clock.
func monotonicMicroseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
}
