import ArgumentParser

/// `swiftlet`: the root command.
public struct SwiftletCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "Run sandboxed WebAssembly functions behind HTTP.",
        discussion: "Documentation: docs/cli.md, docs/manifest.md, docs/abi.md.",
        version: CLIVersion.current,
        subcommands: [UpCommand.self, RunCommand.self, NewCommand.self, BuildCommand.self, PushCommand.self, PullCommand.self, K8sCommand.self, DeployCommand.self, PythonCommand.self, MCPCommand.self, DaprdCommand.self]
    )

    public init() {}
}

enum CLIVersion {
    static let current = "0.1.0"
}

/// An error the CLI reports as one line, `error: <message>`, exiting 1.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
