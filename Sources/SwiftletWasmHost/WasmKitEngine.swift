@_spi(Fuzzing) import WasmKit
import WasmKitWASI
import SwiftletABI

/// The interpreter tier: WasmKit with fuel metering, so deadlines can stop any guest.
public final class WasmKitEngine: GuestEngine {
    /// Translates functions on first call: cheapest for instances made on the request path
    /// and for warm instances that use a fraction of their code.
    static let lazy = EngineConfiguration(compilationMode: .lazy, fuelMetering: true)
    /// Translates everything at instantiation: for instances prepared off the request path,
    /// so the request pays only for running.
    static let eager = EngineConfiguration(compilationMode: .eager, fuelMetering: true)

    public init() {}

    /// A WasmKit `Engine` for one instance. Engines are cheap, and each interns function
    /// types behind one lock that translation takes for every call instruction; shared by
    /// all instances, that lock made concurrent instantiation 5x slower than sequential
    /// (measured: 180 vs 900 WAGI requests/s).
    static func engine(prepareAhead: Bool) -> Engine {
        Engine(configuration: prepareAhead ? eager : lazy)
    }

    public func loadModule(bytes: [UInt8], name: String) throws(ModuleLoadError) -> any GuestModule {
        let module: Module
        do {
            module = try parseWasm(bytes: bytes)
        } catch {
            throw ModuleLoadError(module: name, reason: "not a valid WebAssembly module: \(error)")
        }
        let plan = try ImportPlan(module: module, name: name)
        return WasmKitModule(name: name, module: module, plan: plan)
    }
}

/// A parsed module and how each of its imports is satisfied.
struct WasmKitModule: GuestModule {
    let name: String
    let module: Module
    let plan: ImportPlan

    func exportsFunction(_ name: String) -> Bool {
        module.exports.contains { export in
            if export.name == name, case .function = export.descriptor { return true }
            return false
        }
    }

    func importsHostFunction(_ name: String) -> Bool {
        plan.bindings.contains { if case .swiftlet(name, _) = $0 { true } else { false } }
    }

    func instantiate(_ options: InstanceOptions, session: GuestSession, prepareAhead: Bool) throws(GuestFailure)
        -> any GuestInstance
    {
        try WasmKitInstance(
            module: self, options: options, session: session, engine: WasmKitEngine.engine(prepareAhead: prepareAhead))
    }
}
