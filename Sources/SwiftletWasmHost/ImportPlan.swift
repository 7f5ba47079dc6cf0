@_spi(Fuzzing) import WasmKit
import WasmKitWASI
import SwiftletABI

/// How each import of a module is satisfied, decided once when the module loads so that a
/// module asking for something Swiftlet does not provide fails at startup with its name,
/// not on its first request.
struct ImportPlan: Sendable {
    enum Binding: Sendable {
        /// A `swiftlet_v1` function, by index into ``SwiftletImportModule/functions(_:)``.
        case swiftlet(name: String, index: Int)
        /// A `wasi_snapshot_preview1` function.
        case wasi(name: String, type: FunctionType)
    }

    let bindings: [Binding]
    var usesWASI: Bool {
        bindings.contains { if case .wasi = $0 { true } else { false } }
    }

    static let swiftletFunctions = SwiftletImportModule.functions(Memory.self)
    static let swiftletIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: swiftletFunctions.enumerated().map { ($1.name, $0) }
    )

    /// WASI preview 1 functions and their types, read from WasmKit's implementation.
    static let wasiSignatures: [String: FunctionType] = {
        guard let bridge = try? WASIBridgeToHost(args: []) else { return [:] }
        defer { try? bridge.close() }
        return bridge.hostFunctions(capabilities: WASICapability.all).mapValues(\.type)
    }()

    static let wasiModule = "wasi_snapshot_preview1"

    init(module: Module, name: String) throws(ModuleLoadError) {
        var bindings: [Binding] = []
        for entry in module.imports {
            let label = "\(entry.module).\(entry.name)"
            guard case .function(let typeIndex) = entry.descriptor else {
                throw ModuleLoadError(
                    module: name, reason: "imports \(label) as a non-function; Swiftlet provides only functions")
            }
            guard let type = module.functionType(at: typeIndex) else {
                throw ModuleLoadError(module: name, reason: "import \(label) has an invalid type")
            }
            switch entry.module {
            case SwiftletImportModule.name:
                guard let index = Self.swiftletIndex[entry.name] else {
                    throw ModuleLoadError(
                        module: name, reason: "imports \(label), which this Swiftlet does not provide (see docs/abi.md)")
                }
                let function = Self.swiftletFunctions[index]
                let expected = FunctionType(
                    parameters: function.parameters.map(\.wasmKitType), results: [function.result.wasmKitType])
                guard type == expected else {
                    throw ModuleLoadError(
                        module: name, reason: "import \(label) has type \(type), expected \(expected)")
                }
                bindings.append(.swiftlet(name: entry.name, index: index))
            case Self.wasiModule:
                guard let expected = Self.wasiSignatures[entry.name] else {
                    throw ModuleLoadError(module: name, reason: "imports \(label), which is not part of WASI preview 1")
                }
                guard type == expected else {
                    throw ModuleLoadError(module: name, reason: "import \(label) has type \(type), expected \(expected)")
                }
                bindings.append(.wasi(name: entry.name, type: type))
            default:
                throw ModuleLoadError(
                    module: name,
                    reason: "imports \(label); Swiftlet provides only \(Self.wasiModule) and \(SwiftletImportModule.name)")
            }
        }
        self.bindings = bindings
    }
}
