@_spi(Fuzzing) import WasmKit
import SwiftletWasmHost

/// The interpreter tier: WasmKit with fuel metering, which is also how a call is stopped at
/// its deadline (see ``WasmKitInterruption``).
public final class WasmKitEngine: GuestEngine {
    /// Translates functions on first call: cheapest for instances made on the request path
    /// and for warm instances that use a fraction of their code.
    static let lazy = EngineConfiguration(compilationMode: .lazy, fuelMetering: true)
    /// Translates everything at instantiation: for instances prepared off the request path,
    /// so the request pays only for running.
    static let eager = EngineConfiguration(compilationMode: .eager, fuelMetering: true)

    public var kind: EngineKind { .wasmkit }

    public init() {}

    /// A WasmKit `Engine` for one instance. Engines are cheap, and each interns function
    /// types behind one lock that translation takes for every call instruction; shared by
    /// all instances, that lock made concurrent instantiation 5x slower than sequential
    /// (measured: 180 vs 900 WAGI requests/s).
    static func engine(prepareAhead: Bool) -> Engine {
        Engine(configuration: prepareAhead ? eager : lazy)
    }

    public func loadModule(bytes: [UInt8], name: String, meterFuel: Bool) throws(ModuleLoadError) -> any GuestModule {
        let module: Module
        do {
            module = try parseWasm(bytes: bytes)
        } catch {
            throw ModuleLoadError(module: name, reason: "not a valid WebAssembly module: \(error)")
        }
        var imports: [ModuleImport] = []
        for entry in module.imports {
            let kind: ModuleImport.Kind
            switch entry.descriptor {
            case .function(let index):
                guard let type = module.functionType(at: index) else {
                    throw ModuleLoadError(module: name, reason: "import \(entry.module).\(entry.name) has an invalid type")
                }
                kind = .function(type)
            default:
                kind = .other("\(entry.descriptor)")
            }
            imports.append(ModuleImport(module: entry.module, name: entry.name, kind: kind))
        }
        return WasmKitModule(name: name, module: module, plan: try ImportPlan(imports: imports, module: name))
    }
}

/// A parsed module and how each of its imports is satisfied.
struct WasmKitModule: GuestModule {
    let name: String
    let module: Module
    let plan: ImportPlan

    var engine: EngineKind { .wasmkit }

    func exportsFunction(_ name: String) -> Bool {
        module.exports.contains { export in
            if export.name == name, case .function = export.descriptor { return true }
            return false
        }
    }

    func importsHostFunction(_ name: String) -> Bool {
        plan.importsSwiftlet(name)
    }

    func instantiate(_ options: InstanceOptions, session: GuestSession, prepareAhead: Bool) throws(GuestFailure)
        -> any GuestInstance
    {
        try WasmKitInstance(
            module: self, options: options, session: session, engine: WasmKitEngine.engine(prepareAhead: prepareAhead))
    }
}
