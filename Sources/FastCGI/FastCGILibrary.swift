import CFastCGI

/// Process-wide libfcgi set-up.
public enum FastCGILibrary {
    private static let initialized: Bool = FCGX_Init() == 0

    /// Runs `FCGX_Init` once. Call it after installing SealDrop's own signal
    /// handling: libfcgi only installs its SIGTERM handler (which merely sets a
    /// flag read after the next accept) when the disposition is still the default.
    @discardableResult
    public static func initialize() -> Bool { initialized }

    /// True when the process was started as plain CGI: fd 0 is not a listening socket.
    public static var isCGI: Bool {
        initialize()
        return FCGX_IsCGI() != 0
    }
}
