import Foundation
import Logging
import ServiceLifecycle
import SwiftletCore
import SwiftletHTTPTrigger
import SwiftletMCP
import SwiftletOCI
import SwiftletRuntime
import SwiftletTelemetry

/// What `swiftlet up` and `swiftlet daprd` do once their flags are read and the app is
/// loaded: tracing, `/mcp`, the server until SIGTERM or SIGINT, then the app closed.
enum Serving {
    static func run(
        app: LoadedApp, source: String, listen: ListenAddress, dapr: DaprOptions?, admin: AdminOptions?, sources: AppSource,
        connections: ConnectionLimits, environment: [String: String], logger: Logger
    ) async throws {
        let tracing: (any Service)?
        do {
            tracing = try Telemetry.bootstrapTracing(serviceName: app.manifest.name, environment: environment)
        } catch {
            await app.close()
            throw CLIError("cannot start tracing: \(error)")
        }
        // /mcp serves the tools of whichever version is stable when each call arrives.
        let serving = Locked<SwiftletServer?>(nil)
        var nativeRoutes: [String: HTTPTrigger.NativeHandler] = [:]
        if !app.manifest.tools.isEmpty {
            let endpoint = MCPHTTPEndpoint(
                name: app.manifest.name, version: app.manifest.version, token: environment["SWIFTLET_MCP_TOKEN"],
                tools: { serving.withLock { $0?.currentApp.tools } ?? app.tools })
            nativeRoutes[MCPHTTPEndpoint.path] = endpoint.handler
        }
        let server = SwiftletServer(
            app: app, listen: listen, dapr: dapr, admin: admin, source: source, sources: sources,
            services: tracing.map { [$0] } ?? [], nativeRoutes: nativeRoutes, connections: connections, logger: logger)
        serving.withLock { $0 = server }
        do {
            try await server.run(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            await app.close()
            throw CLIError("server failed: \(error)")
        }
        await app.close()
    }
}
