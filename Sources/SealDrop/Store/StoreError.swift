/// Why the store could not answer. The MariaDB errors behind it are turned into
/// these in one place (``DatabaseSession``); what the client is told is decided
/// at the HTTP edge (``APIError/init(_:)``), not here.
public enum StoreError: Error, Sendable {
    /// The database cannot be reached now; asking again shortly may work.
    case unavailable
    /// Anything else, with its detail for the log (it never reaches a client).
    case failed(String)
}
