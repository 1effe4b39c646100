import SealDrop
import Glibc

extension CommandLineCommand {
    /// Carries the command out; returns the exit status.
    func run() -> Int32 {
        switch action {
        case .help:
            print(Self.usage)
            return 0
        case .version:
            print("sealdrop \(SealDropVersion.current) (schema version \(Migrator.latestVersion))")
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
