import SealDrop
#if canImport(Glibc)
import Glibc
#endif

/// `sealdrop [serve|migrate|check-config|schema|help] [options]`
let arguments = Array(CommandLine.arguments.dropFirst())
let command: CommandLineCommand
do {
    command = try CommandLineCommand.parse(arguments)
} catch {
    printError("\(error)\n\(CommandLineCommand.usage)")
    exit(2)
}
exit(command.run())
