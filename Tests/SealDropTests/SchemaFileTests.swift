import Testing
@testable import SealDrop
import Glibc

@Suite struct SchemaFileTests {
    /// `schema.sql` is generated from the migrations; a stale copy would mislead
    /// anyone who creates the database by hand.
    @Test func schemaFileMatchesMigrations() throws {
        let repository = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let path = "/" + repository + "/schema.sql"
        let text = try #require(EnvFile.read(path: path), "cannot read \(path)")
        #expect(text == Migrator.schemaScript, "schema.sql is stale: run `swift run sealdrop schema > schema.sql`")
        #expect(text.contains("CREATE TABLE IF NOT EXISTS clients"))
        #expect(text.contains("CREATE TABLE IF NOT EXISTS messages"))
        #expect(text.contains("CREATE TABLE IF NOT EXISTS challenges"))
    }
}
