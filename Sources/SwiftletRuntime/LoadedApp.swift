import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import SwiftletBlocks
import SwiftletConversation
import SwiftletResources
import SwiftletDaprAPI
import SwiftletEventTriggers
import SwiftletHTTPTrigger
import SwiftletManifest
import SwiftletNATS
import SwiftletOutbound
import SwiftletPostgres
import SwiftletRedis
import SwiftletSQLite
import SwiftletTelemetry
import SwiftletWasmHost

/// An app whose manifest is parsed, whose Dapr components are connected and whose Wasm
/// components are loaded: ready to serve.
public final class LoadedApp: Sendable {
    public let manifest: AppManifest
    public let host: WasmHost
    public let registry: ResourceRegistry
    /// Wasm components by id.
    public let components: [String: ComponentHost]
    public let router: HTTPRouter
    /// Subscriptions and input bindings, run beside the HTTP server.
    public let eventTriggers: [any Service]
    /// Dapr Subscription resources from the components directory; those scoped to an
    /// ordinary app's id are delivered to that app by the Dapr sidecar.
    public let subscriptions: [SubscriptionSpec]
    /// Service invocation for the app's guests.
    let invoker: AppInvoker
    /// Whether the host and the registry are this app's (the first version) or borrowed
    /// from it (versions deployed later).
    let ownsShared: Bool
    /// Where this version stages its components' single-file mounts.
    let stagingDirectory: String
    /// The server's metrics, shared by every version of the app.
    public let telemetry: Telemetry
    /// The tools agents call over MCP (`tools:`).
    public let tools: AppTools

    /// Every resource type this build of Swiftlet can create (the default for ``load``).
    public static let factories: [any ResourceFactory] = [
        SQLiteResourceFactory(), RedisResourceFactory(), PostgresResourceFactory(), NATSResourceFactory(),
        LocalResourceFactory(), CronResourceFactory(), HTTPBindingFactory(), ConversationResourceFactory(),
    ]

    /// Parses `manifestPath`, connects the components in `componentsDirectory` (default:
    /// `components/` beside the manifest, or the embedded defaults when there is none) and
    /// loads every Wasm component. Errors name a file, line, column and field.
    public static func load(
        manifestPath: String, componentsDirectory: String? = nil, workerThreads: Int? = nil, stateDirectory: String? = nil,
        engine: EngineKind? = nil, factories: [any ResourceFactory] = LoadedApp.factories, logger: Logger = Logger(label: "swiftlet")
    ) async throws -> LoadedApp {
        try await load(
            manifest: try ManifestParser.load(path: manifestPath), resourcesPaths: componentsDirectory.map { [$0] },
            workerThreads: workerThreads, stateDirectory: stateDirectory, engine: engine, factories: factories, logger: logger)
    }

    /// Connects the Dapr components in `resourcesPaths` (each a directory of resource YAML;
    /// `nil`: `components/` beside the manifest or the embedded defaults; empty: none) and
    /// loads the manifest's Wasm components.
    public static func load(
        manifest: AppManifest, resourcesPaths: [String]?, workerThreads: Int? = nil, stateDirectory: String? = nil,
        engine: EngineKind? = nil, factories: [any ResourceFactory] = LoadedApp.factories, logger: Logger = Logger(label: "swiftlet")
    ) async throws -> LoadedApp {
        // Beside the manifest by default; elsewhere when the app directory is read-only (a
        // Kubernetes ConfigMap volume, a shared cache).
        let stateDirectory = stateDirectory ?? URL(fileURLWithPath: manifest.directory).appendingPathComponent(".swiftlet").path
        let resources = try loadResources(manifest: manifest, resourcesPaths: resourcesPaths, stateDirectory: stateDirectory)
        let telemetry = Telemetry()
        let registry = try await ResourceRegistry.load(
            resources.components, factories: factories,
            context: ResourceContext(
                appID: manifest.name, stateDirectory: stateDirectory, baseDirectory: manifest.directory, logger: logger),
            metrics: telemetry.factory)
        do {
            return try await assemble(
                manifest: manifest, registry: registry, subscriptions: resources.subscriptions, stateDirectory: stateDirectory,
                workerThreads: workerThreads, engine: engine, telemetry: telemetry, logger: logger)
        } catch {
            await registry.close()
            throw error
        }
    }

    static func loadResources(manifest: AppManifest, resourcesPaths: [String]?, stateDirectory: String) throws
        -> ResourceLoader.Resources
    {
        if let resourcesPaths {
            var merged = ResourceLoader.Resources()
            for path in resourcesPaths {
                let resources = try ResourceLoader.load(directory: path)
                merged.components += resources.components
                merged.subscriptions += resources.subscriptions
            }
            return merged
        }
        let conventional = URL(fileURLWithPath: manifest.directory).appendingPathComponent("components").path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: conventional, isDirectory: &isDirectory), isDirectory.boolValue {
            return try ResourceLoader.load(directory: conventional)
        }
        var resources = ResourceLoader.Resources()
        resources.components = DefaultResources.specs(manifestDirectory: manifest.directory, stateDirectory: stateDirectory)
        return resources
    }

    static func assemble(
        manifest: AppManifest, registry: ResourceRegistry, subscriptions: [SubscriptionSpec], stateDirectory: String,
        workerThreads: Int?, engine: EngineKind? = nil, telemetry: Telemetry, logger: Logger
    ) async throws -> LoadedApp {
        let host = WasmHost(
            tiers: EngineTiers.available(), preferred: engine, workerThreads: workerThreads, metrics: telemetry.factory,
            logger: logger)
        telemetry.observe(host.census)
        do {
            return try assemble(
                manifest: manifest, registry: registry, subscriptions: subscriptions,
                stagingDirectory: URL(fileURLWithPath: stateDirectory).appendingPathComponent("files").path, host: host,
                ownsShared: true, telemetry: telemetry, logger: logger)
        } catch {
            host.shutdown()
            throw error
        }
    }

    /// Loads another version of the same app into `base`'s host and components: the worker
    /// threads, the Dapr components and their connections stay; the Wasm components,
    /// routes and triggers are the new manifest's. The app's name must not change (state
    /// keys and app ids hang on it).
    public static func load(manifestPath: String, sharing base: LoadedApp, stagingDirectory: String, logger: Logger) throws
        -> LoadedApp
    {
        let manifest = try ManifestParser.load(path: manifestPath)
        guard manifest.name == base.manifest.name else {
            throw DeploymentError("the new version is app '\(manifest.name)', but this server runs '\(base.manifest.name)'")
        }
        return try assemble(
            manifest: manifest, registry: base.registry, subscriptions: base.subscriptions, stagingDirectory: stagingDirectory,
            host: base.host, ownsShared: false, telemetry: base.telemetry, logger: logger)
    }

    static func assemble(
        manifest: AppManifest, registry: ResourceRegistry, subscriptions: [SubscriptionSpec], stagingDirectory: String,
        host: WasmHost, ownsShared: Bool, telemetry: Telemetry, logger: Logger
    ) throws -> LoadedApp {
        for component in manifest.components {
            for (name, location) in zip(component.uses, component.usesLocations) where registry.entry(name) == nil {
                let known = registry.entries.keys.sorted().joined(separator: ", ")
                throw location.error("no Dapr component named '\(name)' (loaded: \(known.isEmpty ? "none" : known))")
            }
        }
        let invoker = AppInvoker(appID: manifest.name)
        var components: [String: ComponentHost] = [:]
        var tools: AppTools?
        do {
            for component in manifest.components {
                let staging = URL(fileURLWithPath: stagingDirectory).appendingPathComponent(component.id).path
                var configuration: ComponentConfiguration
                do {
                    configuration = try ComponentConfiguration(component, stagingDirectory: staging)
                } catch {
                    throw component.sourceLocation.error("cannot prepare files: \(error)")
                }
                configuration.services = ComponentServices(
                    componentID: component.id, appID: manifest.name, uses: Set(component.uses),
                    outboundHosts: component.allowedOutboundHosts.compactMap { try? OutboundHostPattern($0) },
                    registry: registry, workers: host.workers, invoker: invoker, logger: logger,
                    tokenBudget: component.limits.tokens ?? 4096)
                do {
                    components[component.id] = try host.loadComponent(configuration)
                } catch {
                    throw component.sourceLocation.error(error.reason)
                }
            }
            let router = HTTPRouter(routes: manifest.httpRoutes.compactMap { route in
                components[route.component].map { HTTPRouter.Route(pattern: route.route, component: $0) }
            })
            invoker.attach(router)
            tools = try AppTools(
                manifest: manifest,
                components: { tool, component in
                    try toolHost(tool, component, stagingDirectory: stagingDirectory, registry: registry, host: host, invoker: invoker, logger: logger)
                },
                host: host, logger: logger)
            let triggers = try eventTriggers(
                manifest: manifest, registry: registry, subscriptions: subscriptions, components: components, router: router,
                metrics: telemetry.factory, logger: logger)
            logger.info(
                "loaded app \(manifest.name) \(manifest.version)",
                metadata: [
                    "components": .string(
                        manifest.components.map { "\($0.id)=\(components[$0.id]?.engine.rawValue ?? "?")" }
                            .joined(separator: ",")),
                    "dapr-components": .string(registry.entries.keys.sorted().joined(separator: ",")),
                ])
            return LoadedApp(
                manifest: manifest, host: host, registry: registry, components: components, router: router,
                eventTriggers: triggers, subscriptions: subscriptions, invoker: invoker, ownsShared: ownsShared,
                stagingDirectory: stagingDirectory, telemetry: telemetry, tools: tools!)
        } catch {
            for component in components.values { component.close() }
            tools?.close()
            throw error
        }
    }

    /// A tool's own host for its component: a fresh instance per call, the component's
    /// limits with the tool's overrides, the tool's outbound grants when it has its own.
    static func toolHost(
        _ tool: ToolManifest, _ component: ComponentManifest, stagingDirectory: String, registry: ResourceRegistry, host: WasmHost,
        invoker: AppInvoker, logger: Logger
    ) throws -> ComponentHost {
        var configuration: ComponentConfiguration
        do {
            configuration = try ComponentConfiguration(
                component, stagingDirectory: URL(fileURLWithPath: stagingDirectory).appendingPathComponent("tool-" + tool.name).path)
        } catch {
            throw tool.location.error("cannot prepare files: \(error)")
        }
        configuration.id = "tool-" + tool.name
        configuration.isolation = .fresh
        configuration.prewarm = 1
        if let memory = tool.limits.memory { configuration.limits.memoryBytes = memory }
        if let fuel = tool.limits.fuel { configuration.limits.fuel = fuel }
        if let timeout = tool.limits.timeoutMilliseconds { configuration.limits.timeoutMilliseconds = timeout }
        configuration.services = ComponentServices(
            componentID: configuration.id, appID: registry.appID, uses: Set(component.uses),
            outboundHosts: (tool.allowedOutboundHosts ?? component.allowedOutboundHosts).compactMap { try? OutboundHostPattern($0) },
            registry: registry, workers: host.workers, invoker: invoker, logger: logger,
            tokenBudget: component.limits.tokens ?? 4096)
        do {
            return try host.loadComponent(configuration)
        } catch {
            throw tool.location.error(error.reason)
        }
    }

    /// Subscriptions (from the manifest and from Dapr Subscription resources) and input
    /// bindings, each with its destination.
    static func eventTriggers(
        manifest: AppManifest, registry: ResourceRegistry, subscriptions: [SubscriptionSpec],
        components: [String: ComponentHost], router: HTTPRouter, metrics: any MetricsFactory, logger: Logger
    ) throws -> [any Service] {
        func destination(_ target: EventTarget) -> any EventDestination {
            switch target {
            case .component(let id): ComponentDestination(component: components[id]!)
            case .route(let path): RouterDestination(router: router, path: path)
            }
        }
        func group(_ target: String) -> String {
            "\(manifest.name)-\(target)".map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? String($0) : "_" }.joined()
        }
        var services: [any Service] = []
        for trigger in manifest.pubsubTriggers {
            guard let broker = registry.pubsub(trigger.pubsub) else {
                throw trigger.location.error("no pub/sub component named '\(trigger.pubsub)'")
            }
            let path: String
            let targetName: String
            switch trigger.target {
            case .component(let id): (path, targetName) = ("/\(trigger.topic)", id)
            case .route(let route): (path, targetName) = (route, route)
            }
            services.append(SubscriptionTrigger(
                settings: SubscriptionTrigger.Settings(
                    pubsubName: trigger.pubsub, topic: trigger.topic, group: group(targetName), routes: TopicRoutes(path: path),
                    deadLetterTopic: trigger.deadLetterTopic, maxInFlight: trigger.maxInFlight, maxAttempts: trigger.maxAttempts,
                    retryDelaySeconds: trigger.retryDelaySeconds),
                broker: broker, destination: destination(trigger.target), appID: manifest.name, metrics: metrics,
                logger: logger))
        }
        for subscription in subscriptions where subscription.scopes.isEmpty || subscription.scopes.contains(manifest.name) {
            guard let broker = registry.pubsub(subscription.pubsubName) else {
                throw subscription.location.error("no pub/sub component named '\(subscription.pubsubName)'")
            }
            let routes = try subscription.topicRoutes()
            services.append(SubscriptionTrigger(
                settings: SubscriptionTrigger.Settings(
                    pubsubName: subscription.pubsubName, topic: subscription.topic, group: group(routes.primaryPath),
                    routes: routes, deadLetterTopic: subscription.deadLetterTopic),
                broker: broker, destination: RouterDestination(router: router, path: routes.primaryPath),
                appID: manifest.name, metrics: metrics, logger: logger))
        }
        for (name, binding) in registry.inputBindings {
            let target: EventTarget
            if let trigger = manifest.bindingTriggers.first(where: { $0.binding == name }) {
                target = trigger.target
            } else if router.match("/\(name)") != nil {
                target = .route("/\(name)")
            } else {
                logger.warning("input binding \(name) has no trigger and no route /\(name); its events go nowhere")
                continue
            }
            services.append(BindingTrigger(name: name, binding: binding, destination: destination(target), logger: logger))
        }
        for trigger in manifest.bindingTriggers where registry.entry(trigger.binding) == nil {
            throw trigger.location.error("no input binding component named '\(trigger.binding)'")
        }
        return services
    }

    init(
        manifest: AppManifest, host: WasmHost, registry: ResourceRegistry, components: [String: ComponentHost],
        router: HTTPRouter, eventTriggers: [any Service], subscriptions: [SubscriptionSpec], invoker: AppInvoker, ownsShared: Bool,
        stagingDirectory: String, telemetry: Telemetry, tools: AppTools
    ) {
        self.tools = tools
        self.telemetry = telemetry
        self.invoker = invoker
        self.ownsShared = ownsShared
        self.stagingDirectory = stagingDirectory
        self.subscriptions = subscriptions
        self.manifest = manifest
        self.host = host
        self.registry = registry
        self.components = components
        self.router = router
        self.eventTriggers = eventTriggers
    }

    /// The app's subscriptions, for the metadata API.
    var subscriptionInfo: [DaprAPI.SubscriptionInfo] {
        eventTriggers.compactMap { $0 as? SubscriptionTrigger }.map { trigger in
            DaprAPI.SubscriptionInfo(
                pubsubName: trigger.settings.pubsubName, topic: trigger.settings.topic, routes: trigger.settings.routes,
                deadLetterTopic: trigger.settings.deadLetterTopic)
        }
    }

    /// Closes this version's Wasm instances (a retired version, once drained).
    public func closeComponents() {
        for component in components.values { component.close() }
        tools.close()
    }

    /// Closes instances, and the backends and the host's threads if this app owns them.
    public func close() async {
        closeComponents()
        guard ownsShared else { return }
        await registry.close()
        host.shutdown()
    }
}
