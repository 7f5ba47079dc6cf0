import CoreMetrics
import Foundation
import Logging
import SwiftletABI

/// The WebAssembly host: one engine, one pool of guest threads, and the components
/// loaded into them.
public final class WasmHost: Sendable {
    public let engine: any GuestEngine
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
        engine: any GuestEngine = WasmKitEngine(), workerThreads: Int? = nil,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger = Logger(label: "swiftlet")
    ) {
        self.engine = engine
        self.metrics = metrics
        self.workers = GuestWorkerPool(parallelism: workerThreads)
        self.logger = logger
    }

    /// Reads, validates and instantiates a component; failures name the component and why.
    public func loadComponent(_ configuration: ComponentConfiguration) throws(ModuleLoadError) -> ComponentHost {
        let name = configuration.id
        let module = try loadModule(path: configuration.modulePath, name: name)
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

    /// Reads and parses a module file.
    public func loadModule(path: String, name: String) throws(ModuleLoadError) -> any GuestModule {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModuleLoadError(module: name, reason: "cannot read module file \(path)")
        }
        return try engine.loadModule(bytes: [UInt8](data), name: name)
    }

    /// Stops background threads; components should be closed first.
    public func shutdown() {
        prewarmer.stop()
        workers.shutdown()
    }
}
