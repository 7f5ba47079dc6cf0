import MCP
import SwiftletRuntime

/// `swiftlet mcp`: MCP over this process's stdin and stdout until the client closes stdin.
/// Logs must go to stderr: stdout carries the protocol.
public enum MCPStdio {
    public static func serve(_ app: LoadedApp) async throws {
        let server = await MCPToolServer.make(name: app.manifest.name, version: app.manifest.version) { app.tools }
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
        await server.stop()
    }
}
