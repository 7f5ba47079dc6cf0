@_spi(Fuzzing) import WasmKit
import WasmKitWASI
import SwiftletABI

/// The interpreter tier: WasmKit with fuel metering, so deadlines can stop any guest.
public final class WasmKitEngine: GuestEngine {
    /// Translates functions on first call: cheapest for instances made on the request path
    /// and for warm instances that use a fraction of their code.
    let lazyEngine: Engine
    /// Translates everything at instantiation: for instances prepared off the request path,
    /// so the request pays only for running.
    let eagerEngine: Engine

    public init() {
        lazyEngine = Engine(configuration: EngineConfiguration(compilationMode: .lazy, fuelMetering: true))
        eagerEngine = Engine(configuration: EngineConfiguration(compilationMode: .eager, fuelMetering: true))
    }

    public func loadModule(bytes: [UInt8], name: String) throws(ModuleLoadError) -> any GuestModule {
        let module: Module
        do {
            module = try parseWasm(bytes: bytes)
        } catch {
            throw ModuleLoadError(module: name, reason: "not a valid WebAssembly module: \(error)")
        }
        let plan = try ImportPlan(module: module, name: name)
        return WasmKitModule(name: name, module: module, plan: plan, engine: self)
    }
}

/// A parsed module and how each of its imports is satisfied.
struct WasmKitModule: GuestModule {
    let name: String
    let module: Module
    let plan: ImportPlan
    let engine: WasmKitEngine

    func exportsFunction(_ name: String) -> Bool {
        module.exports.contains { export in
            if export.name == name, case .function = export.descriptor { return true }
            return false
        }
    }

    func instantiate(_ options: InstanceOptions, session: GuestSession, prepareAhead: Bool) throws(GuestFailure)
        -> any GuestInstance
    {
        try WasmKitInstance(
            module: self, options: options, session: session,
            engine: prepareAhead ? engine.eagerEngine : engine.lazyEngine
        )
    }
}
