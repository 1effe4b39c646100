internal import CSodium

/// One-time set-up of libsodium.
///
/// `sodium_init` picks the fastest implementations for this CPU and seeds the
/// random generator; until it has run, libsodium functions are not guaranteed to
/// be thread-safe. Every entry point of this module calls ``initialize()`` first,
/// so callers only need it to pay the (small) cost before worker threads start.
public enum SodiumLibrary {
    /// Runs `sodium_init` exactly once per process (a `static let` is initialised
    /// lazily under `swift_once`, which is thread-safe).
    private static let isReady: Bool = sodium_init() >= 0

    /// Initialises libsodium if that has not happened yet (wraps `sodium_init`).
    ///
    /// Stops the process if libsodium cannot be initialised: that only happens
    /// when it cannot obtain randomness, and no key or token can be made safely
    /// without it.
    public static func initialize() {
        precondition(isReady, "sodium_init failed: libsodium cannot be used on this system")
    }
}
