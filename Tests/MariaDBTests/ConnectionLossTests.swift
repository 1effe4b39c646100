import MariaDB
import TestSupport
import Testing

@Suite struct ConnectionLossTests {
    @Test func killedConnectionIsLostAndBroken() throws {
        let victim = try testConnection()
        try victim.execute("CREATE TEMPORARY TABLE t (id INT)")
        let insert = try victim.statement("INSERT INTO t VALUES (?)")
        try insert.execute([1])

        let killer = try testConnection()
        try killer.execute("KILL CONNECTION \(victim.serverConnectionID)")

        // The kill takes effect asynchronously on the server: poll until it shows.
        var lost: MariaDBError?
        try waitUntil("the killed connection fails", timeout: 10) {
            do {
                try insert.execute([2])
                return false
            } catch let error as MariaDBError {
                lost = error
                return true
            }
        }
        #expect(lost?.isConnectionLost == true, "\(lost.map(String.init(describing:)) ?? "no error")")
        #expect(victim.isBroken)
        #expect(!victim.ping())

        // Later calls fail at once, without the network, with a code that says
        // nothing was sent.
        for attempt in [
            { _ = try victim.query("SELECT 1") }, { try victim.execute("SELECT 1") },
            { try insert.execute([3]) }, { _ = try victim.statement("SELECT 2") },
            { try victim.transaction {} },
        ] {
            let error = #expect(throws: MariaDBError.self) { try attempt() }
            #expect(error?.code == MariaDBError.Code.serverGone)
            #expect(error?.isConnectionLost == true)
        }
        // The killer is unaffected; the victim's statements and handle are released
        // when it goes out of scope, without touching the dead link.
        #expect(killer.ping())
    }

    @Test func readTimeoutIsLostConnection() throws {
        let connection = try testConnection(readTimeout: 1)
        let error = #expect(throws: MariaDBError.self) { try connection.query("SELECT SLEEP(5)") }
        #expect(error?.isConnectionLost == true)
        #expect(connection.isBroken)
    }
}
