import CMariaDB

/// Process-wide and per-thread set-up of MariaDB Connector/C.
public enum MariaDBLibrary {
    /// `mysql_library_init` is not thread-safe; a `static let` runs it exactly once,
    /// under the runtime's once-lock, whichever thread gets here first.
    private static let initializationResult: Int32 = mysql_server_init(0, nil, nil)

    /// Initializes the library (`mysql_library_init`) exactly once. Call it on the main
    /// thread before starting worker threads; later calls do nothing. ``Connection``
    /// also calls it, and throws if the library could not be initialized.
    public static func initialize() {
        _ = initializationResult
    }

    /// Whether `mysql_library_init` succeeded.
    static var isInitialized: Bool {
        initializationResult == 0
    }

    /// Runs `body` between `mysql_thread_init` and `mysql_thread_end`. A worker thread
    /// wraps its whole life in this; connections made inside should be closed
    /// (released) before `body` returns.
    public static func withThreadContext<T>(_ body: () throws -> T) rethrows -> T {
        initialize()
        _ = mysql_thread_init()
        defer { mysql_thread_end() }
        return try body()
    }
}
