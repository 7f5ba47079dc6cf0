import CoreMetrics
import Foundation
import Logging
import SwiftletABI

/// The WebAssembly host: the engine tiers, one pool of guest threads, and the components
/// loaded into them.
public final class WasmHost: Sendable {
    /// The tiers this host can run components on.
    public let engines: [EngineKind: any GuestEngine]
    /// Why a tier is missing, to tell a component that asks for it.
    let unavailable: [EngineKind: String]
    /// The tier for components that leave the choice to the host (`--engine`).
    let preferred: EngineKind?
    public let workers: GuestWorkerPool
    let prewarmer = Prewarmer()
    let logger: Logger
    /// Where components' counters go (Prometheus under `swiftlet up`).
    public let metrics: any MetricsFactory
    /// Instances of every component alive right now, and their linear memory.
    public let census = InstanceCensus()

    /// - Parameters:
    ///   - workerThreads: threads serving requests at once (default: one per core); more
    ///     are added while guests run long.
    ///   - metrics: the factory for instance, failure, limit and fuel counters.
    public init(
        engines: [any GuestEngine], unavailable: [EngineKind: String] = [:], preferred: EngineKind? = nil,
        workerThreads: Int? = nil,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger = Logger(label: "swiftlet")
    ) {
        self.engines = Dictionary(engines.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.unavailable = unavailable
        self.preferred = preferred
        self.metrics = metrics
        self.workers = GuestWorkerPool(parallelism: workerThreads)
        self.logger = logger
    }

    /// Reads, validates and instantiates a component; failures name the component and why.
    public func loadComponent(_ configuration: ComponentConfiguration) throws(ModuleLoadError) -> ComponentHost {
        let name = configuration.id
        let module = try loadModule(
            path: configuration.modulePath, name: name, engine: configuration.engine,
            meterFuel: configuration.limits.fuel != nil)
        switch configuration.executor {
        case .handler:
            guard module.exportsFunction(SwiftletImportModule.handlerExport) else {
                throw ModuleLoadError(
                    module: name,
                    reason: "executor 'handler' needs the module to export \(SwiftletImportModule.handlerExport)")
            }
        case .wagi:
            guard module.exportsFunction("_start") else {
                throw ModuleLoadError(module: name, reason: "executor 'wagi' needs a WASI command module exporting _start")
            }
        }
        let executor = configuration.executor
        let environment = configuration.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let arguments = [name] + configuration.arguments
        // WAGI is CGI: one process, here one instance, per request.
        let isolation: Isolation = executor == .wagi ? .fresh : configuration.isolation
        let metrics = ComponentMetrics(component: name, factory: self.metrics)
        let supply = InstanceSupply(
            name: name, module: module,
            options: InstanceOptions(
                memoryLimit: configuration.limits.memoryBytes, mounts: configuration.mounts,
                startupTimeoutNanoseconds: UInt64(configuration.limits.timeoutMilliseconds) * 1_000_000,
                census: census),
            isolation: isolation, recycle: configuration.recycle,
            target: max(1, configuration.prewarm), prewarmer: prewarmer, metrics: metrics
        ) {
            executor == .wagi
                ? GuestSession(
                    stdout: .capture(limit: configuration.limits.maxResponseBytes + CGI.maxHeaderBytes), stderr: .log(.warning))
                : GuestSession(arguments: arguments, environment: environment, stdout: .log(.info), stderr: .log(.warning))
        }
        do {
            try supply.start()
        } catch {
            throw ModuleLoadError(module: name, reason: error.message)
        }
        return ComponentHost(
            configuration: configuration, supply: supply, streams: module.importsHostFunction("resp_flush"),
            workers: workers, metrics: metrics, logger: logger)
    }

    /// The tier a component asking for `choice` runs on: the one named; for `auto` the
    /// host's preferred tier, else Wasmtime when its library is present, else WasmKit.
    public func engine(for choice: EngineChoice) -> (any GuestEngine)? {
        switch resolve(choice) {
        case .auto: engines[.wasmtime] ?? engines[.wasmkit]
        case .kind(let kind): engines[kind]
        }
    }

    private func resolve(_ choice: EngineChoice) -> EngineChoice {
        if choice == .auto, let preferred { return .kind(preferred) }
        return choice
    }

    /// Reads and compiles a module file on the tier `engine` picks.
    public func loadModule(path: String, name: String, engine choice: EngineChoice = .auto, meterFuel: Bool = false)
        throws(ModuleLoadError) -> any GuestModule
    {
        guard let engine = engine(for: choice) else {
            var why: String?
            if case .kind(let kind) = resolve(choice) { why = unavailable[kind] }
            throw ModuleLoadError(module: name, reason: "engine \(resolve(choice)) is not available: \(why ?? "not built in")")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModuleLoadError(module: name, reason: "cannot read module file \(path)")
        }
        return try engine.loadModule(bytes: [UInt8](data), name: name, meterFuel: meterFuel)
    }

    /// Stops background threads; components should be closed first.
    public func shutdown() {
        prewarmer.stop()
        workers.shutdown()
    }
}
