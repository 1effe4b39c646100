import MariaDB

extension DatabaseSession {
    /// What a session on a Galera node needs; nothing on any other server.
    ///
    /// A node that is not ready (outside the primary component, still joining) is
    /// refused, so the session goes to the next server. Reads, and updates and
    /// deletes, first wait until the node has applied everything the cluster
    /// committed before they began (`wsrep_sync_wait` 1 and 2): nodes apply each
    /// other's writes a little later, and without the wait a client that registered,
    /// sent, or asked for a challenge through one node and goes on through another
    /// could be told its link, message or challenge does not exist. Inserts do not
    /// wait: none depends on an earlier write (a colliding one fails certification
    /// and runs again). Measured on the loopback cluster: see the README.
    static func prepareGaleraSession(_ connection: Connection) throws {
        let rows = try connection.query("""
            SELECT (SELECT VARIABLE_VALUE FROM information_schema.SESSION_VARIABLES WHERE VARIABLE_NAME = 'WSREP_ON') AS wsrep_on,
                   (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY') AS ready
            """)
        guard let row = rows.first, try row.decode("wsrep_on", as: String?.self) == "ON" else { return }
        guard try row.decode("ready", as: String?.self) == "ON" else {
            throw MariaDBError(code: .wsrepNotReady, message: "the Galera node is not ready for statements")
        }
        try connection.execute("SET SESSION wsrep_sync_wait = @@global.wsrep_sync_wait | 3")
    }
}
