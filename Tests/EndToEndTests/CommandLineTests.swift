import Foundation
import Testing
import TestSupport

/// The `sealdrop` command line (issue 16, point 8): each command takes only its own
/// options, a wrong command line exits 64 (EX_USAGE) and a wrong setting 78
/// (EX_CONFIG), each with one sentence, and `--version` answers.
@Suite("Command line")
struct CommandLineTests {
    private static let settings = ["DB_USER": "nobody", "DB_NAME": "nothing", "SEALDROP_CONFIG": "/dev/null"]

    private func sealdrop(_ arguments: [String], environment: [String: String] = settings) throws -> CommandResult {
        try runCommand(try TestEnvironment.binary(), arguments, environment: environment)
    }

    @Test(arguments: ["--version", "version"])
    func version(argument: String) throws {
        let result = try sealdrop([argument])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("sealdrop 0."), "\(result.output)")
        #expect(result.output.contains("schema version"))
    }

    @Test(arguments: [
        (["schema", "--threads", "3"], "schema does not take --threads"),
        (["migrate", "--listen", "/tmp/x.sock"], "migrate does not take --listen"),
        (["check-config", "--processes", "2"], "check-config does not take --processes"),
        (["serve", "--bogus", "1"], "unknown option --bogus"),
        (["serve", "--threads"], "--threads needs a value"),
        (["frobnicate"], "unknown command frobnicate"),
        (["serve", "--processes", "0"], "--processes must be from 1 to 64"),
        (["serve", "--processes", "65"], "--processes must be from 1 to 64"),
        (["serve", "--threads", "two"], "--threads must be from 1 to 256"),
    ])
    func usageErrorsExit64(arguments: [String], sentence: String) throws {
        let result = try sealdrop(arguments)
        #expect(result.status == 64, "\(arguments): \(result.output)")
        #expect(result.output.hasPrefix(sentence), "\(arguments): \(result.output)")
        #expect(result.output.contains("usage: sealdrop"))
    }

    @Test func wrongSettingExits78() throws {
        let result = try sealdrop(["check-config"], environment: ["SEALDROP_CONFIG": "/dev/null", "DB_USER": "", "DB_NAME": "x"])
        #expect(result.status == 78, "\(result.output)")
        #expect(result.output.contains("DB_USER is not set."), "\(result.output)")
    }

    @Test func helpExits0() throws {
        let result = try sealdrop(["migrate", "--help"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("usage: sealdrop"))
    }
}
