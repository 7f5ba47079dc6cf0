import Foundation
import HTTPTypes
import Hummingbird
import MCP
import NIOCore
import SwiftletHTTPTrigger
import SwiftletRuntime

/// `/mcp`: MCP's streamable HTTP transport, stateless (every POST carries a whole JSON-RPC
/// request and gets a JSON answer; no sessions, no server-sent stream), with an optional
/// bearer token (`SWIFTLET_MCP_TOKEN`).
///
/// Each request gets its own MCP server and transport: JSON-RPC ids are the client's, so
/// two clients may send the same id at once, and a shared transport would cross their
/// answers.
public struct MCPHTTPEndpoint: Sendable {
    public static let path = "/mcp"
    /// The largest JSON-RPC request read.
    static let maxBodyBytes = 4 << 20

    let name: String
    let version: String
    let token: String?
    let tools: @Sendable () -> AppTools

    public init(name: String, version: String, token: String?, tools: @escaping @Sendable () -> AppTools) {
        self.name = name
        self.version = version
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.tools = tools
    }

    public var handler: HTTPTrigger.NativeHandler {
        { request, _ in try await respond(request) }
    }

    func respond(_ request: Request) async throws -> Response {
        if let token, request.headers[.authorization] != "Bearer \(token)" {
            return Response(
                status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"a bearer token is required"}"#)))
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBodyBytes)
        } catch {
            return Response(status: .contentTooLarge)
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let transport = StatelessHTTPServerTransport()
        let server = await MCPToolServer.make(name: name, version: version, tools: tools)
        try await server.start(transport: transport)
        let answer = await transport.handleRequest(
            MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: Data(buffer: body), path: request.uri.path))
        await server.stop()
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(
            status: HTTPTypes.HTTPResponse.Status(code: answer.statusCode), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bodyData.map(Array.init) ?? [])))
    }
}
