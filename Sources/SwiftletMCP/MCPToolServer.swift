import Foundation
import MCP
import SwiftletRuntime

/// An MCP server (the official Swift SDK) whose tools are an app's `tools:`. The same
/// server answers over stdio (`swiftlet mcp`) and streamable HTTP (`/mcp` on `swiftlet up`).
public enum MCPToolServer {
    /// A server listing and calling the tools `current()` returns at the time of each call,
    /// so a hot-deployed version's tools take over.
    public static func make(name: String, version: String, tools current: @escaping @Sendable () -> AppTools) async -> Server {
        let server = Server(
            name: name, version: version, capabilities: Server.Capabilities(tools: Server.Capabilities.Tools(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: current().tools.map { tool in
                Tool(name: tool.name, description: tool.description.isEmpty ? nil : tool.description, inputSchema: schema(tool.inputSchemaJSON))
            })
        }
        await server.withMethodHandler(CallTool.self) { parameters in
            let encoder = JSONEncoder()
            // Guests read the arguments with small JSON readers: keep URLs as written.
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let arguments = (try? encoder.encode(parameters.arguments ?? [:])).map { Array($0) } ?? Array("{}".utf8)
            let outcome = await current().call(parameters.name, arguments: arguments)
            return CallTool.Result(content: [.text(text: outcome.text, annotations: nil, _meta: nil)], isError: outcome.isError)
        }
        return server
    }

    /// A tool's JSON Schema as the SDK's value (the manifest has checked it is a JSON object).
    static func schema(_ json: String) -> Value {
        (try? JSONDecoder().decode(Value.self, from: Data(json.utf8))) ?? .object(["type": .string("object")])
    }
}
