/// Whether a connection is still usable, shared by the connection and its statements
/// (which must not keep the connection itself alive: it owns them).
final class ConnectionHealth {
    /// Set once an error after which the connection must be discarded was seen.
    private(set) var isBroken = false

    /// Marks the connection broken when `error` says the link or session is gone.
    func record(_ error: MariaDBError) {
        if error.isConnectionLost { isBroken = true }
    }
}

@available(*, unavailable)
extension ConnectionHealth: Sendable {}

extension MariaDBError {
    /// Thrown, without touching the network, by every call on a connection already
    /// marked broken. Its code is ``Code/serverGone``: nothing was sent, so a caller may
    /// retry on a new connection.
    static let connectionBroken = MariaDBError(
        code: .serverGone,
        message: "the connection was lost earlier and must be replaced"
    )
}
