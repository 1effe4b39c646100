/// Why the store could not answer.
public enum StoreError: Error, Sendable {
    /// The database cannot be reached now; the client should retry (503).
    case unavailable
    /// Anything else: logged with its detail, answered as a bare 500.
    case failed(String)
}
