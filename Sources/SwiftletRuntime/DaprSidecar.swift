import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import Logging
import ServiceLifecycle
import SwiftletABI
import SwiftletBlocks
import SwiftletManifest
import SwiftletResources
import SwiftletDaprAPI
import SwiftletJobs
import SwiftletEventTriggers
import SwiftletHTTPTrigger
import SwiftletWasmHost
import SwiftletCore

/// Dapr's APIs for an app: the HTTP and gRPC servers, and the channel to the ordinary app
/// beside Swiftlet (its subscriptions, input bindings and invocations).
final class DaprSidecar: Sendable {
    let api: DaprAPI
    let options: DaprOptions
    /// The first version: its registry and name are every version's.
    let app: LoadedApp
    let deployments: AppDeployments
    let channel: AppChannel?
    /// The Jobs building block, when the app has a state store to keep jobs in.
    let jobs: JobScheduler?
    let logger: Logger
    /// The app's subscriptions, known once it has answered `GET /dapr/subscribe`.
    final class SubscriptionList: Sendable {
        let entries = Locked<[DaprAPI.SubscriptionInfo]>([])
    }

    private let appSubscriptions = SubscriptionList()
    private let ports = Locked<(http: Int?, grpc: Int?)>((nil, nil))

    let connections: ConnectionLimits

    init(app: LoadedApp, deployments: AppDeployments, options: DaprOptions, connections: ConnectionLimits, logger: Logger) {
        self.connections = connections
        self.app = app
        self.deployments = deployments
        self.options = options
        self.logger = logger
        let channel = options.appID.flatMap { id in
            options.appPort.map { AppChannel(appID: id, port: $0, token: options.appToken, maxConcurrency: options.appMaxConcurrency) }
        }
        self.channel = channel
        let invoker = ServiceInvoker(
            localAppID: app.manifest.name,
            local: { request throws(BuildingBlockError) in
                try await Self.invokeLocal(request, routers: deployments, tools: { deployments.current.tools })
            },
            appChannel: channel, peers: options.peers, apiToken: options.apiToken)
        let appSubscriptions = self.appSubscriptions
        let jobs = app.registry.jobStore.map { store in
            JobScheduler(store: store.store, appID: options.appID ?? app.manifest.name, logger: logger) { fire in
                await Self.deliverJob(fire, channel: channel, routers: deployments)
            }
        }
        self.jobs = jobs
        api = DaprAPI(
            appID: options.appID ?? app.manifest.name, registry: app.registry, invoker: invoker, appPort: options.appPort, jobs: jobs,
            subscriptions: { deployments.current.subscriptionInfo + appSubscriptions.entries.withLock { $0 } },
            extendedMetadata: {
                Dictionary(uniqueKeysWithValues: deployments.current.components.map { ("swiftlet.engine.\($0.key)", $0.value.engine.rawValue) })
            })
        app.invoker.attachRemote(invoker, workers: app.host.workers)
        // Versions deployed later reach other apps the same way.
        deployments.prepare.withLock { $0 = { $0.invoker.attachRemote(invoker, workers: $0.host.workers) } }
    }

    /// A job's fire, as Dapr delivers it: `POST /job/{name}` to the app beside Swiftlet, or
    /// else to the Wasm app's routes. 2xx and 404 settle it; anything else is a failure.
    static func deliverJob(_ fire: JobFire, channel: AppChannel?, routers: any RouterSource) async -> Bool {
        let request = GuestRequest(
            method: "POST", path: "/job/\(fire.name)", headers: [("content-type", "application/json")], body: fire.httpBody,
            origin: RequestOrigin(requestID: "job-\(fire.name)-\(fire.attempt)", matchedRoute: "/job/\(fire.name)", routeBase: "/job"))
        let response: GuestResponse
        do {
            if let channel {
                response = try await channel.send(request, timeout: .seconds(20))
            } else {
                response = try await invokeLocal(request, routers: routers)
            }
        } catch {
            return false
        }
        return (200..<300).contains(response.status) || response.status == 404
    }

    /// A Wasm component, reached through the app's routes.
    /// `tools/<name>` with no route of that path: the app's MCP tool by that name, so an app
    /// beside Swiftlet can invoke `run_python` (or any tool) through Dapr as well. The body
    /// is the arguments; the result's text is the body, 200, or the failure's status with
    /// `x-swiftlet-error` naming the limit that stopped it.
    static func invokeTool(_ request: GuestRequest, _ tools: AppTools?) async -> GuestResponse? {
        guard let tools, request.path.hasPrefix("/tools/") else { return nil }
        let name = String(request.path.dropFirst("/tools/".count))
        guard tools.tools.contains(where: { $0.name == name }) else { return nil }
        let outcome = await tools.call(name, arguments: request.body.isEmpty ? Array("{}".utf8) : request.body)
        var headers: HeaderList = [("content-type", "text/plain; charset=utf-8")]
        guard outcome.isError else { return GuestResponse(status: 200, headers: headers, body: Array(outcome.text.utf8)) }
        let kind = outcome.stoppedBy.flatMap(GuestFailure.Kind.init(rawValue:))
        if let stoppedBy = outcome.stoppedBy { headers.append(("x-swiftlet-error", stoppedBy)) }
        return GuestResponse(status: kind?.httpStatus ?? 500, headers: headers, body: Array(outcome.text.utf8))
    }

    static func invokeLocal(_ request: GuestRequest, routers: any RouterSource, tools: () -> AppTools? = { nil }) async throws(BuildingBlockError)
        -> GuestResponse
    {
        let lease = routers.lease()
        defer { lease.end() }
        guard let (route, parameters) = lease.router.match(request.path) else {
            if let answer = await invokeTool(request, tools()) { return answer }
            return GuestResponse(status: 404, headers: [("content-type", "text/plain")], body: Array("no route matches \(request.path)\n".utf8))
        }
        var routed = request
        routed.parameters = parameters
        routed.origin.matchedRoute = route.pattern.text
        routed.origin.routeBase = route.pattern.base
        let reply: GuestReply
        do {
            reply = try await route.component.handle(routed)
        } catch {
            return GuestResponse(status: error.kind.httpStatus, headers: [("content-type", "text/plain")], body: Array("swiftlet: \(error.kind): \(error.message)\n".utf8))
        }
        do {
            return try await reply.collected()
        } catch {
            throw BuildingBlockError(.unavailable, "the component failed while streaming: \(error)")
        }
    }

    /// The services to run beside the app's HTTP server.
    func services() -> [any Service] {
        var services: [any Service] = [HTTPServerService(sidecar: self), GRPCServerService(sidecar: self)]
        if let jobs { services.append(jobs) }
        if let channel { services.append(AppChannelService(sidecar: self, channel: channel)) }
        return services
    }

    func boundHTTPPort(_ port: Int) { ports.withLock { $0.http = port } }
    func boundGRPCPort(_ port: Int) { ports.withLock { $0.grpc = port } }
    var boundPorts: (http: Int?, grpc: Int?) { ports.withLock { $0 } }

    func addAppSubscription(_ info: DaprAPI.SubscriptionInfo) {
        appSubscriptions.entries.withLock { $0.append(info) }
    }
}

/// The Dapr HTTP API server.
struct HTTPServerService: Service {
    let sidecar: DaprSidecar

    func run() async throws {
        let options = sidecar.options
        let router = DaprHTTPAPI(api: sidecar.api, token: options.apiToken).router(
            apiLogger: options.apiLogging ? sidecar.logger : nil)
        var logger = sidecar.logger
        logger.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            router: router, server: sidecar.connections.server,
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.httpPort), serverName: "swiftlet-dapr"),
            onServerRunning: { [sidecar] channel in
                let port = channel.localAddress?.port ?? options.httpPort
                sidecar.boundHTTPPort(port)
                sidecar.logger.info("Dapr HTTP API on http://\(options.host):\(port)")
            },
            logger: logger)
        try await application.runService(gracefulShutdownSignals: [])
    }
}

/// The Dapr gRPC API server.
struct GRPCServerService: Service {
    let sidecar: DaprSidecar

    func run() async throws {
        let options = sidecar.options
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: options.host, port: options.grpcPort), transportSecurity: .plaintext)
        // The token check comes first: an unauthenticated call gets nothing else.
        var interceptors: [any ServerInterceptor] = [TraceContextInterceptor()]
        if let token = options.apiToken { interceptors.insert(APITokenInterceptor(token: token), at: 0) }
        if options.apiLogging { interceptors.insert(APILoggingInterceptor(logger: sidecar.logger), at: 0) }
        let server = GRPCServer(
            transport: transport, services: [DaprGRPCService(api: sidecar.api), ConversationStreamService(api: sidecar.api)], interceptors: interceptors)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                try await withGracefulShutdownHandler {
                    // RPC tasks never run guests themselves (invocations go through the
                    // component host), so they stay off the guest threads: measured 10-15%
                    // less latency for GetMetadata than on the inherited worker executor.
                    try await withTaskExecutorPreference(globalConcurrentExecutor) {
                        try await server.serve()
                    }
                } onGracefulShutdown: {
                    server.beginGracefulShutdown()
                }
            }
            if let port = try await transport.listeningAddress.ipv4?.port {
                sidecar.boundGRPCPort(port)
                sidecar.logger.info("Dapr gRPC API on \(options.host):\(port)")
            }
        }
    }
}

/// Connects to the ordinary app once it listens: its subscriptions from `GET /dapr/subscribe`
/// and the input bindings it answers `OPTIONS /<name>` for.
struct AppChannelService: Service {
    let sidecar: DaprSidecar
    let channel: AppChannel

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await connect()
        }
        // An app without subscriptions or bindings leaves nothing running here, but a service
        // that returns early stops the whole group: stay until shutdown.
        try? await gracefulShutdown()
    }

    private func connect() async {
        let logger = sidecar.logger
        guard await channel.waitUntilReachable(timeout: .seconds(120)) else {
            if Task.isCancelled { return }
            logger.warning("app \(channel.appID) did not answer on port \(channel.port); no subscriptions or bindings for it")
            return
        }
        var triggers: [any Service] = []
        var subscriptions: [AppSubscription] = []
        for declared in sidecar.app.subscriptions where declared.scopes.contains(channel.appID) {
            do throws(ManifestError) {
                subscriptions.append(AppSubscription(
                    pubsubName: declared.pubsubName, topic: declared.topic, routes: try declared.topicRoutes(),
                    deadLetterTopic: declared.deadLetterTopic))
            } catch {
                logger.warning("subscription \(declared.name): \(error)")
            }
        }
        do {
            subscriptions += try await channel.subscriptions()
        } catch {
            logger.warning("GET /dapr/subscribe on app \(channel.appID) failed: \(error.message)")
        }
        for subscription in subscriptions {
            guard let broker = sidecar.app.registry.pubsub(subscription.pubsubName) else {
                logger.warning("app \(channel.appID) subscribes to unknown pub/sub '\(subscription.pubsubName)'")
                continue
            }
            let group = "\(channel.appID)-\(subscription.routes.primaryPath)".map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? String($0) : "_" }.joined()
            triggers.append(SubscriptionTrigger(
                settings: SubscriptionTrigger.Settings(
                    pubsubName: subscription.pubsubName, topic: subscription.topic, group: group, routes: subscription.routes,
                    deadLetterTopic: subscription.deadLetterTopic),
                broker: broker, destination: AppChannelDestination(channel: channel), appID: channel.appID,
                metrics: sidecar.app.telemetry.factory, logger: logger))
            sidecar.addAppSubscription(DaprAPI.SubscriptionInfo(
                pubsubName: subscription.pubsubName, topic: subscription.topic, routes: subscription.routes,
                deadLetterTopic: subscription.deadLetterTopic))
            logger.info("app \(channel.appID) subscribed to \(subscription.topic) on \(subscription.pubsubName) at \(subscription.routes.primaryPath)")
        }
        let current = sidecar.deployments.current
        let wasmBindings = Set(current.manifest.bindingTriggers.map(\.binding))
        for (name, binding) in sidecar.app.registry.inputBindings where !wasmBindings.contains(name) && current.router.match("/\(name)") == nil {
            if await channel.wantsBinding(name) {
                triggers.append(BindingTrigger(name: name, binding: binding, destination: AppChannelDestination(channel: channel), logger: logger))
                logger.info("app \(channel.appID) receives input binding \(name)")
            }
        }
        logger.info("app \(channel.appID) connected on port \(channel.port): \(triggers.count) subscriptions and bindings for it")
        await withDiscardingTaskGroup { group in
            for trigger in triggers {
                group.addTask { try? await trigger.run() }
            }
        }
    }
}
