import SealDrop
import Glibc

/// `sealdrop [serve|migrate|check-config|purge|schema|help|version] [options]`
let arguments = Array(CommandLine.arguments.dropFirst())
let command: CommandLineCommand
do {
    command = try CommandLineCommand.parse(arguments)
} catch {
    printError("\(error)\n\(CommandLineCommand.usage)")
    exit(64)  // EX_USAGE
}
exit(command.run())
