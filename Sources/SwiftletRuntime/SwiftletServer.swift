import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import SwiftletHTTPTrigger
import SwiftletManifest
import SwiftletWasmHost
import Synchronization

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
    private let state = Mutex(State())

    /// - Parameter dapr: serve Dapr's HTTP and gRPC APIs (and the app channel) too.
    public init(
        app: LoadedApp, listen: ListenAddress, dapr: DaprOptions? = nil,
        nativeRoutes: [String: HTTPTrigger.NativeHandler] = [:], logger: Logger = Logger(label: "swiftlet")
    ) {
        self.app = app
        self.listen = listen
        self.nativeRoutes = nativeRoutes
        self.logger = logger
        sidecar = dapr.map { DaprSidecar(app: app, options: $0, logger: logger) }
    }

    /// Whether this server runs the Dapr APIs.
    public var sidecarEnabled: Bool { sidecar != nil }

    /// The Dapr API ports once bound (useful with port 0); `nil` before or without Dapr.
    public var daprPorts: (http: Int?, grpc: Int?) { sidecar?.boundPorts ?? (nil, nil) }

    /// Runs until a signal in `gracefulShutdownSignals` or ``shutdown()``; in-flight
    /// requests finish before this returns.
    public func run(gracefulShutdownSignals: [UnixSignal] = []) async throws {
        let trigger = HTTPTrigger(
            router: app.router, serverName: listen.host, serverPort: listen.port,
            nativeRoutes: nativeRoutes, logger: logger)
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            responder: trigger,
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
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // Shutdown runs in reverse: event triggers stop taking messages first, then
                // the HTTP server drains.
                services: [application] + (sidecar?.services() ?? []) + app.eventTriggers,
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
