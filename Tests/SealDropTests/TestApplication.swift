@testable import SealDrop

extension Application {
    /// The application the handler tests drive: default settings, links under
    /// https://drop.example, on `store`.
    static func testing(on store: InMemoryStore) throws -> Application {
        var configuration = try Configuration(values: ["DB_USER": "u", "DB_NAME": "d"])
        configuration.baseURL = "https://drop.example"
        return Application(configuration: configuration, store: store)
    }
}
