import ArgumentParser
import Foundation
import Logging
import SwiftletMCP
import SwiftletManifest
import SwiftletRuntime

/// `swiftlet mcp`: the app's tools over MCP's stdio transport, for agents that start their
/// tool servers as processes (Claude Desktop, the MCP SDKs' stdio clients).
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve an app's tools over MCP on stdin and stdout.",
        discussion: """
            Lists and calls the tools in the manifest's tools: section. Each call runs in a \
            fresh instance with the tool's limits and outbound grants; one audit line per \
            call goes to stderr with the logs. `swiftlet up` serves the same tools over HTTP \
            at /mcp.
            """
    )

    @Option(name: [.short, .customLong("file")], help: "The app manifest.")
    var file = "swiftlet.yaml"

    @Option(help: ArgumentHelp("Directory of Dapr component YAML (default: components/ beside the manifest).", valueName: "dir"))
    var components: String?

    @Option(help: ArgumentHelp("Engine for components on auto: wasmtime, wasmkit or auto (env SWIFTLET_ENGINE).", valueName: "engine"))
    var engine: EngineFlag?

    @Option(help: "Log level on stderr (env SWIFTLET_LOG; default: info).")
    var logLevel: Logger.Level?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = LoggingSetup.bootstrap(
            level: logLevel ?? environment["SWIFTLET_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info)
        let app: LoadedApp
        do {
            app = try await LoadedApp.load(
                manifestPath: file, componentsDirectory: components,
                engine: try EngineFlag.resolve(engine, environment: environment), logger: logger)
        } catch let error as ManifestError {
            throw CLIError(error.description)
        }
        guard !app.manifest.tools.isEmpty else {
            await app.close()
            throw CLIError("\(file) has no tools: section, so there is nothing to serve over MCP")
        }
        do {
            try await MCPStdio.serve(app)
        } catch {
            await app.close()
            throw CLIError("MCP over stdio failed: \(error)")
        }
        await app.close()
    }
}
