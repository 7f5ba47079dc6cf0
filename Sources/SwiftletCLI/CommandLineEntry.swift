import ArgumentParser
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Runs the CLI: parses `arguments`, runs the command and returns the process exit code.
/// Errors print as a single `error: ...` line on stderr.
public enum CommandLineEntry {
    public static func run(_ arguments: [String]) async -> Int32 {
        let command: any ParsableCommand
        do {
            command = try SwiftletCommand.parseAsRoot(arguments)
        } catch {
            return report(error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var command = command
                try command.run()
            }
            return 0
        } catch {
            return report(error)
        }
    }

    static func report(_ error: any Error) -> Int32 {
        let code = SwiftletCommand.exitCode(for: error)
        switch error {
        case let error as CLIError:
            printError("error: \(error.message)")
            return 1
        case is ExitCode:
            return code.rawValue
        default:
            let message = SwiftletCommand.fullMessage(for: error)
            if code == .success {
                print(message)
            } else if !message.isEmpty {
                printError(message)
            }
            return code.rawValue
        }
    }

    static func printError(_ text: String) {
        var line = text
        if !line.hasSuffix("\n") { line += "\n" }
        fputs(line, stderr)
    }
}
