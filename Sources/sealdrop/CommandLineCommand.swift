import SealDrop

/// A command line that cannot be obeyed; `sealdrop` exits 64 (EX_USAGE) with it.
struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// A parsed command line.
struct CommandLineCommand {
    enum Action: String, CaseIterable {
        case serve, migrate, checkConfig = "check-config", schema, purge, help, version

        /// The options this command takes; any other is a usage error, not ignored.
        var options: Set<String> {
            switch self {
            case .serve: ["--listen", "--processes", "--threads", "--socket-mode", "--config"]
            case .migrate, .checkConfig, .purge: ["--config"]
            case .schema, .help, .version: []
            }
        }
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
               sealdrop purge [--config FILE]          delete expired messages, challenges and counters now
               sealdrop schema                         print schema.sql
               sealdrop version | --version            print the version
        Without --listen, serves the FastCGI socket on fd 0 (spawn-fcgi, systemd, mod_fcgid),
        or one plain CGI request. --processes N keeps N worker processes of --threads threads
        each on the socket and replaces one that dies (behind nginx or systemd; never under
        mod_fcgid, which manages processes itself). Settings: environment, then .env beside
        the binary or --config. Exit status: 64 for a wrong command line, 78 for a wrong setting.
        """

    static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineCommand {
        var command = CommandLineCommand()
        var rest = arguments[...]
        if let first = rest.first, !first.hasPrefix("-") {
            guard let action = Action(rawValue: first) else { throw UsageError(description: "unknown command \(first)") }
            command.action = action
            rest = rest.dropFirst()
        }
        var given: [String] = []
        while let option = rest.popFirst() {
            if option == "-h" || option == "--help" { command.action = .help; return command }
            if option == "--version" { command.action = .version; return command }
            given.append(option)
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
        if let stray = given.first(where: { !command.action.options.contains($0) }) {
            throw UsageError(description: "\(command.action.rawValue) does not take \(stray)")
        }
        return command
    }
}
