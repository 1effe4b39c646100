import SealDrop
#if canImport(Glibc)
import Glibc
#endif

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// A parsed command line.
struct CommandLineCommand {
    enum Action: String {
        case serve, migrate, checkConfig = "check-config", schema, purge, help
    }

    var action: Action = .serve
    var listen: String?
    var threads: Int?
    var processes: Int?
    var configFile: String?
    var socketMode: UInt32?

    static let usage = """
        usage: sealdrop [serve] [--listen HOST:PORT | --listen /path.sock] [--processes N] [--threads N]
                              [--socket-mode 0660] [--config FILE]
               sealdrop migrate [--config FILE]        create or upgrade the database schema
               sealdrop check-config [--config FILE]   validate the settings and try the database
               sealdrop purge [--config FILE]          delete expired messages and challenges now
               sealdrop schema                         print schema.sql
        Without --listen, serves the FastCGI socket on fd 0 (spawn-fcgi, systemd, mod_fcgid),
        or one plain CGI request. --processes N keeps N worker processes of --threads threads
        each on the socket and replaces one that dies (behind nginx or systemd; never under
        mod_fcgid, which manages processes itself). Settings: environment, then .env beside
        the binary or --config.
        """

    static func parse(_ arguments: [String]) throws -> CommandLineCommand {
        var command = CommandLineCommand()
        var rest = arguments[...]
        if let first = rest.first, !first.hasPrefix("-") {
            guard let action = Action(rawValue: first) else { throw UsageError(description: "unknown command \(first)") }
            command.action = action
            rest = rest.dropFirst()
        }
        while let option = rest.popFirst() {
            if option == "-h" || option == "--help" { command.action = .help; continue }
            guard let value = rest.popFirst() else { throw UsageError(description: "\(option) needs a value") }
            switch option {
            case "--listen": command.listen = value
            case "--config": command.configFile = value
            case "--threads":
                guard let n = Int(value), (1...256).contains(n) else { throw UsageError(description: "--threads must be from 1 to 256") }
                command.threads = n
            case "--processes":
                guard let n = Int(value), (1...64).contains(n) else { throw UsageError(description: "--processes must be from 1 to 64") }
                command.processes = n
            case "--socket-mode":
                guard let mode = UInt32(value, radix: 8), mode <= 0o777 else { throw UsageError(description: "--socket-mode must be octal, such as 0660") }
                command.socketMode = mode
            default: throw UsageError(description: "unknown option \(option)")
            }
        }
        return command
    }

    func run() -> Int32 {
        switch action {
        case .help:
            print(Self.usage)
            return 0
        case .schema:
            print(Migrator.schemaScript, terminator: "")
            return 0
        default:
            break
        }
        var configuration: Configuration
        do {
            configuration = try Configuration.load(environment: ProcessEnvironment.current(), explicitFile: configFile)
        } catch {
            printError("sealdrop: \(error)")
            return 78  // EX_CONFIG
        }
        if let threads { configuration.threads = threads }
        if let socketMode { configuration.socketMode = socketMode }
        switch action {
        case .migrate:
            do {
                let outcome = try Migrator(configuration: configuration.database).migrate()
                print(outcome.applied.isEmpty ? "schema is up to date (version \(Migrator.latestVersion))"
                                              : "applied schema versions \(outcome.applied.map(String.init).joined(separator: ", "))")
                for refused in outcome.routinesRefused {
                    print("note: the database refused to create the stored procedure \(refused.name) (\(refused.reason)); "
                          + "SealDrop works without it, with more round trips per request. Grant CREATE ROUTINE "
                          + "and run `sealdrop migrate` again to use it.")
                }
                return 0
            } catch {
                printError("sealdrop migrate: \(error)")
                return 1
            }
        case .purge:
            let application = Application(configuration: configuration, store: MariaDBStore(configuration: configuration.database))
            do {
                print("purged \(try application.purgeAll()) expired rows")
                return 0
            } catch {
                printError("sealdrop purge: the database is unavailable or refused the purge (\(error))")
                return 1
            }
        case .checkConfig:
            let (lines, ok) = ConfigurationCheck(configuration: configuration).run()
            lines.forEach { print($0) }
            return ok ? 0 : 1
        default:
            do {
                let address = listen ?? configuration.listen
                try Responder.run(configuration: configuration, mode: address.map { .listen($0) } ?? .inheritedOrCGI,
                                  processes: processes)
                return 0
            } catch {
                printError("sealdrop: \(error)")
                return 1
            }
        }
    }
}

func printError(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.append(10)
    bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}
