import MariaDB
import Sodium
import Synchronization

extension MariaDBStore {
    public func serverSecret(named name: String) throws(StoreError) -> [UInt8] {
        if let secret = Self.cachedSecrets.withLock({ $0[name] }) { return secret }
        let secret = try session.withConnection { connection -> [UInt8] in
            // Every responder on every host shares the database, so the secret lives
            // there: whoever asks first creates it, everyone reads the same one.
            _ = try connection.run("INSERT IGNORE INTO sealdrop_settings (name, value) VALUES (?, ?)",
                                   [.text(name), .text(Base64.encode(RandomBytes.generate(count: 32)))])
            let rows = try connection.query("SELECT value FROM sealdrop_settings WHERE name = ?", [.text(name)])
            guard let text = try rows.first?.decode("value", as: String.self), let secret = Base64.decode(text) else {
                throw StoreError.failed("\(name) setting is unreadable")
            }
            return secret
        }
        Self.cachedSecrets.withLock { $0[name] = secret }
        return secret
    }

    /// Secrets by name, once read: they never change.
    private static let cachedSecrets = Mutex<[String: [UInt8]]>([:])
}
