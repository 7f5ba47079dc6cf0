@_spi(WASIPlatform) import WASI
import SwiftletABI
import WasmTypes

/// One import of a module, as the engine read it.
public struct ModuleImport: Sendable {
    public enum Kind: Sendable {
        case function(FunctionType)
        /// A table, memory, global or tag: Swiftlet provides none.
        case other(String)
    }

    public let module: String
    public let name: String
    public let kind: Kind

    public init(module: String, name: String, kind: Kind) {
        self.module = module
        self.name = name
        self.kind = kind
    }
}

/// How each import of a module is satisfied, decided once when the module loads so that a
/// module asking for something Swiftlet does not provide fails at startup with its name,
/// not on its first request. Engine-neutral: every tier binds the same plan.
public struct ImportPlan: Sendable {
    public enum Binding: Sendable {
        /// A Swiftlet host function (`swiftlet_v1`, `wasi_ephemeral_nn`), by index into
        /// ``SwiftletImportModule/functions(_:)``.
        case swiftlet(name: String, index: Int)
        /// A `wasi_snapshot_preview1` function.
        case wasi(name: String, type: FunctionType)

        public var module: String {
            switch self {
            case .swiftlet(_, let index): ImportPlan.swiftletModules[index]
            case .wasi: ImportPlan.wasiModule
            }
        }

        public var name: String {
            switch self {
            case .swiftlet(let name, _), .wasi(let name, _): name
            }
        }

        public var type: FunctionType {
            switch self {
            case .swiftlet(_, let index): ImportPlan.swiftletTypes[index]
            case .wasi(_, let type): type
            }
        }
    }

    /// In the module's import order.
    public let bindings: [Binding]
    public let usesWASI: Bool
    /// The WASI capabilities (indices into `WASICapability.all`) that provide the module's
    /// WASI imports. Building WasmKit's table of every preview 1 function cost about 40 µs
    /// per instance (most of a C WAGI request on Wasmtime); an instance builds only these.
    let wasiCapabilities: [Int]

    public static let wasiModule = "wasi_snapshot_preview1"

    /// The `swiftlet_v1` functions' types, in ``SwiftletImportModule/functions(_:)`` order.
    static let swiftletTypes: [FunctionType] = SwiftletImportModule.functions(SignatureOnlyMemory.self).map {
        FunctionType(parameters: $0.parameters.map(\.valueType), results: [$0.result.valueType])
    }
    static let swiftletModules: [String] = SwiftletImportModule.functions(SignatureOnlyMemory.self).map(\.module)
    /// Keyed by module and name.
    static let swiftletIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: SwiftletImportModule.functions(SignatureOnlyMemory.self).enumerated().map { ("\($1.module).\($1.name)", $0) })
    static let hostModules = Set(swiftletModules)

    /// WASI preview 1 functions and their types, read from the WASI implementation.
    static let wasiSignatures: [String: FunctionType] = {
        guard let bridge = try? WASIBridgeToHost(args: []) else { return [:] }
        defer { try? bridge.close() }
        return bridge.hostFunctions(capabilities: WASICapability<SignatureOnlyMemory>.all).mapValues(\.type)
    }()

    /// Which capability provides each preview 1 function, read from the WASI implementation.
    static let wasiCapabilityOf: [String: Int] = {
        guard let bridge = try? WASIBridgeToHost(args: []) else { return [:] }
        defer { try? bridge.close() }
        var owners: [String: Int] = [:]
        for (index, capability) in WASICapability<SignatureOnlyMemory>.all.enumerated() {
            for name in bridge.hostFunctions(capabilities: [capability], stubUnlinked: false).keys where owners[name] == nil {
                owners[name] = index
            }
        }
        return owners
    }()

    /// Functions Swiftlet's WASI policy calls itself, needed with these imports.
    static let policyFunctions: [String: [String]] = [
        "path_open": ["fd_sync", "fd_datasync", "fd_fdstat_get"], "fd_fdstat_set_flags": ["fd_sync", "fd_datasync"],
    ]

    public init(imports: [ModuleImport], module name: String) throws(ModuleLoadError) {
        var bindings: [Binding] = []
        for entry in imports {
            let label = "\(entry.module).\(entry.name)"
            guard case .function(let type) = entry.kind else {
                throw ModuleLoadError(
                    module: name, reason: "imports \(label) as a non-function; Swiftlet provides only functions")
            }
            switch entry.module {
            case let module where Self.hostModules.contains(module):
                guard let index = Self.swiftletIndex[label] else {
                    throw ModuleLoadError(
                        module: name, reason: "imports \(label), which this Swiftlet does not provide (see docs/abi.md)")
                }
                let expected = Self.swiftletTypes[index]
                guard type == expected else {
                    throw ModuleLoadError(module: name, reason: "import \(label) has type \(type), expected \(expected)")
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
                    reason: "imports \(label); Swiftlet provides only \(([Self.wasiModule] + Self.hostModules.sorted()).joined(separator: ", "))")
            }
        }
        self.bindings = bindings
        usesWASI = bindings.contains { if case .wasi = $0 { true } else { false } }
        var capabilities = Set<Int>()
        for case .wasi(let name, _) in bindings {
            for needed in [name] + (Self.policyFunctions[name] ?? []) {
                if let owner = Self.wasiCapabilityOf[needed] { capabilities.insert(owner) }
            }
        }
        wasiCapabilities = capabilities.sorted()
    }

    /// Whether the module imports `name` from `swiftlet_v1`.
    public func importsSwiftlet(_ name: String) -> Bool {
        bindings.contains { if case .swiftlet(name, _) = $0 { true } else { false } }
    }
}

extension ABIValueType {
    public var valueType: ValueType {
        switch self {
        case .i32: .i32
        case .i64: .i64
        }
    }
}

/// A memory type for reading host function signatures, which do not depend on memory;
/// never accessed.
struct SignatureOnlyMemory: GuestMemoryView, GuestMemory {
    var byteCount: Int { 0 }
    func withUncheckedBytes<R>(offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }
    func withUnsafeMutableBufferPointer<T>(offset: UInt, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T)
        rethrows -> T
    {
        try body(UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }
}
