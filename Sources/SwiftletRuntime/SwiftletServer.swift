import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import SwiftletHTTPTrigger
import SwiftletManifest
import SwiftletOCI
import SwiftletWasmHost
import SwiftletCore

/// Serves a loaded app over HTTP until asked to stop, then drains in-flight requests.
public final class SwiftletServer: Sendable {
    private struct State {
        var port: Int?
        var portWaiters: [CheckedContinuation<Int, any Error>] = []
        var group: ServiceGroup?
        var stopRequested = false
    }

    public let app: LoadedApp
    public let listen: ListenAddress
    let nativeRoutes: [String: HTTPTrigger.NativeHandler]
    let logger: Logger
    let sidecar: DaprSidecar?
    let admin: AdminOptions?
    /// Run beside the server and stopped after it (the trace exporter).
    let supportServices: [any Service]
    /// Timeouts for clients that hold connections without doing their part, on every port.
    let connections: ConnectionLimits
    /// The versions being served; starts with `app`.
    public let deployments: AppDeployments
    private let state = Locked(State())

    /// - Parameters:
    ///   - dapr: serve Dapr's HTTP and gRPC APIs (and the app channel) too.
    ///   - admin: serve `/metrics` and the deployment API on another port.
    ///   - source: what `app` was loaded from (shown by the admin API, used by rollback).
    ///   - sources: how the admin API resolves new versions' sources.
    ///   - services: services that outlive the server's own (the trace exporter flushes last).
    public init(
        app: LoadedApp, listen: ListenAddress, dapr: DaprOptions? = nil, admin: AdminOptions? = nil, source: String? = nil,
        sources: AppSource = AppSource(), services: [any Service] = [], nativeRoutes: [String: HTTPTrigger.NativeHandler] = [:],
        connections: ConnectionLimits = ConnectionLimits(), logger: Logger = Logger(label: "swiftlet")
    ) {
        supportServices = services
        self.connections = connections
        self.app = app
        self.listen = listen
        self.nativeRoutes = nativeRoutes
        self.logger = logger
        self.admin = admin
        let deployments = AppDeployments(base: app, source: source ?? app.manifest.file, logger: logger) { text in
            let (manifestPath, pulled) = try await sources.resolve(text)
            return (manifestPath, pulled?.pinnedSource ?? text)
        }
        self.deployments = deployments
        sidecar = dapr.map {
            DaprSidecar(app: app, deployments: deployments, options: $0, connections: connections, logger: logger)
        }
    }

    /// Whether this server runs the Dapr APIs.
    public var sidecarEnabled: Bool { sidecar != nil }

    /// The Dapr API ports once bound (useful with port 0); `nil` before or without Dapr.
    /// The version serving now (the stable one).
    public var currentApp: LoadedApp { deployments.current }

    public var daprPorts: (http: Int?, grpc: Int?) { sidecar?.boundPorts ?? (nil, nil) }

    /// Runs until a signal in `gracefulShutdownSignals` or ``shutdown()``; in-flight
    /// requests finish before this returns.
    public func run(gracefulShutdownSignals: [UnixSignal] = []) async throws {
        let trigger = HTTPTrigger(
            router: deployments, serverName: listen.host, serverPort: listen.port,
            nativeRoutes: nativeRoutes, metrics: app.telemetry.factory, logger: logger)
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            responder: trigger, server: connections.server,
            configuration: ApplicationConfiguration(
                address: .hostname(listen.host, port: listen.port), serverName: "swiftlet"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? listen.port
                let waiters = state.withLock { state in
                    state.port = port
                    defer { state.portWaiters = [] }
                    return state.portWaiters
                }
                for waiter in waiters { waiter.resume(returning: port) }
                logger.info("listening on http://\(listen.host):\(port)")
            },
            logger: serverLogger)
        // Shutdown runs in reverse: event triggers stop taking messages first, then the
        // HTTP server drains, and the support services (the trace exporter) flush last.
        var services: [any Service] = supportServices
        services.append(application)
        services += sidecar?.services() ?? []
        services += adminServices()
        services.append(DeploymentTriggersService(deployments: deployments))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: gracefulShutdownSignals,
                logger: serverLogger))
        let stopEarly = state.withLock { state in
            state.group = group
            return state.stopRequested
        }
        if stopEarly { await group.triggerGracefulShutdown() }
        defer { failPortWaiters() }
        // Request tasks run on the guest threads, so a guest call is a queue hand-off on
        // the same pool instead of a wake-up of another one.
        try await withTaskExecutorPreference(app.host.workers) {
            try await group.run()
        }
        logger.info("stopped")
    }

    private func adminServices() -> [any Service] {
        guard let admin else { return [] }
        let api = AdminAPI(deployments: deployments, token: admin.token, metrics: { [app] in app.telemetry.render() })
        return [AdminServerService(api: api, options: admin, connections: connections, logger: logger)]
    }

    /// The bound port, once the server is listening (useful with port 0).
    public func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let port = state.withLock { state -> Int? in
                if let port = state.port { return port }
                state.portWaiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }

    /// Starts a graceful shutdown: stop accepting, finish in-flight requests, return.
    public func shutdown() async {
        let group = state.withLock { state in
            state.stopRequested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    private func failPortWaiters() {
        let waiters = state.withLock { state in
            defer { state.portWaiters = [] }
            return state.portWaiters
        }
        for waiter in waiters { waiter.resume(throwing: CancellationError()) }
    }
}
