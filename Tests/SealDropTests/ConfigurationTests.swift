import Testing
@testable import SealDrop

@Suite struct ConfigurationTests {
    let minimal = ["DB_USER": "u", "DB_NAME": "d"]

    @Test func readsSeedNamesWithDefaults() throws {
        let configuration = try Configuration(values: minimal.merging(["DB_HOST": "db.example", "DB_PORT": "3307",
                                                                       "BASE_URL": "https://x.example/drop/"]) { $1 })
        #expect(configuration.database.host == "db.example")
        #expect(configuration.database.port == 3307)
        #expect(configuration.baseURL == "https://x.example/drop")
        #expect(configuration.threads == 4)
        #expect(configuration.corsOrigins == ["*"])
    }

    @Test(arguments: [("DB_PORT", "70000"), ("DB_PORT", "abc"), ("SEALDROP_THREADS", "0"), ("BASE_URL", "ftp://x"),
                      ("SEALDROP_SOCKET_MODE", "999"), ("SEALDROP_MAX_BODY_BYTES", "2048"),
                      ("SEALDROP_LIMIT_FOLD_MILLISECONDS", "50"), ("SEALDROP_LIMIT_FOLD_MILLISECONDS", "60001")])
    func badValueNamesTheSetting(_ key: String, _ value: String) {
        do {
            _ = try Configuration(values: minimal.merging([key: value]) { $1 })
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            #expect(error.description.contains(key))
        }
    }

    @Test func limitFoldIntervalIsOffOrAtLeastATenthOfASecond() throws {
        #expect(try Configuration(values: minimal).abuse.limitFoldMilliseconds == 1000)
        #expect(try Configuration(values: minimal.merging(["SEALDROP_LIMIT_FOLD_MILLISECONDS": "0"]) { $1 }).abuse.limitFoldMilliseconds == 0)
        #expect(try Configuration(values: minimal.merging(["SEALDROP_LIMIT_FOLD_MILLISECONDS": "100"]) { $1 }).abuse.limitFoldMilliseconds == 100)
    }

    @Test func maxOutstandingChallengesIsReadButOnlyWarnedAbout() throws {
        #expect(try Configuration(values: minimal).warnings.isEmpty)
        let old = try Configuration(values: minimal.merging(["SEALDROP_MAX_OUTSTANDING_CHALLENGES": "5"]) { $1 })
        #expect(old.warnings.count == 1 && old.warnings[0].contains("SEALDROP_MAX_OUTSTANDING_CHALLENGES is no longer used"))
        #expect(throws: ConfigurationError.self) {
            try Configuration(values: minimal.merging(["SEALDROP_MAX_OUTSTANDING_CHALLENGES": "0"]) { $1 })
        }
        let check = ConfigurationCheck(configuration: old)
        #expect(check.configuration.warnings == old.warnings)
    }

    @Test func oneServerWithoutDBHosts() throws {
        #expect(try Configuration(values: minimal).database.servers == [.tcp(host: "localhost", port: 3306)])
        let socket = try Configuration(values: minimal.merging(["DB_SOCKET": "/run/mysqld/mysqld.sock", "DB_HOST": "x"]) { $1 })
        #expect(socket.database.servers == [.socket(path: "/run/mysqld/mysqld.sock")])
    }

    @Test func dbHostsListsServersInOrder() throws {
        let configuration = try Configuration(values: minimal.merging([
            "DB_HOSTS": " db1.example:3307, db2.example ,[::1]:3308,[fe80::1],/run/mysqld/mysqld.sock,,",
        ]) { $1 })
        #expect(configuration.database.servers == [
            .tcp(host: "db1.example", port: 3307), .tcp(host: "db2.example", port: 3306), .tcp(host: "::1", port: 3308),
            .tcp(host: "fe80::1", port: 3306), .socket(path: "/run/mysqld/mysqld.sock"),
        ])
        #expect(configuration.database.servers.map(\.description) == [
            "db1.example:3307", "db2.example:3306", "[::1]:3308", "[fe80::1]:3306", "socket /run/mysqld/mysqld.sock",
        ])
    }

    @Test(arguments: ["db:0", "db:70000", "db:x", "::1", "[::1", "[::1]x", ":3306", "db:", "rel/ative.sock", ",", "a b:1"])
    func badDBHostsNamesTheSetting(_ hosts: String) {
        do {
            _ = try Configuration(values: minimal.merging(["DB_HOSTS": hosts]) { $1 })
            Issue.record("DB_HOSTS=\(hosts) was accepted")
        } catch {
            #expect(error.description.hasPrefix("DB_HOSTS"), "\(error)")
        }
    }

    @Test(arguments: ["DB_HOST", "DB_PORT", "DB_SOCKET"])
    func dbHostsWithAnotherServerSettingIsRefused(_ other: String) {
        #expect(throws: ConfigurationError.self) {
            try Configuration(values: minimal.merging(["DB_HOSTS": "db1:3306,db2:3306", other: other == "DB_PORT" ? "3306" : "/x"]) { $1 })
        }
    }

    @Test func missingUserOrNameIsRefused() {
        #expect(throws: ConfigurationError.self) { try Configuration(values: ["DB_NAME": "d"]) }
        #expect(throws: ConfigurationError.self) { try Configuration(values: ["DB_USER": "u"]) }
    }

    @Test func parsesEnvFiles() {
        let values = EnvFile.parse("""
            # comment
            export DB_USER=alice
            DB_PASSWORD="p#ss word"
            DB_NAME = drops # trailing comment
            BASE_URL='http://localhost:5000'
            """)
        #expect(values == ["DB_USER": "alice", "DB_PASSWORD": "p#ss word", "DB_NAME": "drops",
                           "BASE_URL": "http://localhost:5000"])
    }

    @Test func environmentWinsOverFile() throws {
        let path = "/tmp/sealdrop-config-test-\(UInt32.random(in: 0...UInt32.max)).env"
        let text = "DB_USER=fromfile\nDB_NAME=filedb\n"
        let file = fopen(path, "w")!
        fputs(text, file)
        fclose(file)
        defer { unlink(path) }
        let configuration = try Configuration.load(environment: ["DB_NAME": "envdb"], explicitFile: path)
        #expect(configuration.database.user == "fromfile")
        #expect(configuration.database.name == "envdb")
        #expect(throws: ConfigurationError.self) { try Configuration.load(environment: [:], explicitFile: path + ".missing") }
    }
}

import Glibc
