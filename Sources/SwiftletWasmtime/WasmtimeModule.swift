import CSwiftletWasmtime
import Foundation
import SwiftletABI
import SwiftletCore
import SwiftletWasmHost
import WasmTypes

/// A compiled module with its imports linked once: instances come from an instance-pre,
/// which resolves imports a single time for all of them.
final class WasmtimeModule: GuestModule, @unchecked Sendable {
    let name: String
    let plan: ImportPlan
    let owner: WasmtimeEngine
    let backend: WasmtimeEngine.Backend
    private let module: OpaquePointer
    private let linker: OpaquePointer
    let instancePre: OpaquePointer
    private let functionExports: Set<String>
    /// The module's bytes while its instances come from a pool, for ``overflow``.
    private let bytes: [UInt8]?
    /// The same module on an engine without a pool, made when the pool is first full, so
    /// that a burst past the pool's slots is served (more slowly) instead of refused.
    private let spill = Locked<WasmtimeModule?>(nil)

    var engine: EngineKind { .wasmtime }

    init(name: String, module: OpaquePointer, engine: WasmtimeEngine, backend: WasmtimeEngine.Backend, bytes: [UInt8]?)
        throws(ModuleLoadError)
    {
        let library = engine.library
        let api = library.api.pointee
        self.name = name
        self.bytes = backend.poolSlots > 0 ? bytes : nil
        self.module = module
        owner = engine
        self.backend = backend
        let (imports, exports) = Self.describe(module, api: api)
        functionExports = exports
        do {
            plan = try ImportPlan(imports: imports, module: name)
        } catch {
            api.wasmtime_module_delete!(module)
            throw error
        }
        let linker = api.wasmtime_linker_new!(backend.handle)!
        self.linker = linker
        var defined = Set<String>()
        for (index, binding) in plan.bindings.enumerated() {
            let key = "\(binding.module)\0\(binding.name)"
            guard defined.insert(key).inserted else { continue }
            let type = Self.functype(binding.type, api: api)
            defer { api.wasm_functype_delete!(type) }
            // The binding travels in `env`; the store's data says whose call it is.
            let environment = Unmanaged.passRetained(WasmtimeBinding(api: library.api, index: index, type: binding.type))
            let error = binding.module.withCString { module in
                binding.name.withCString { field in
                    api.wasmtime_linker_define_func_unchecked!(
                        linker, module, strlen(module), field, strlen(field), type, wasmtimeHostCall,
                        environment.toOpaque(), wasmtimeBindingFinalizer)
                }
            }
            if let error {
                let reason = library.take(error)
                api.wasmtime_linker_delete!(linker)
                api.wasmtime_module_delete!(module)
                throw ModuleLoadError(module: name, reason: "cannot link \(binding.module).\(binding.name): \(reason)")
            }
        }
        var pre: OpaquePointer?
        if let error = api.wasmtime_linker_instantiate_pre!(linker, module, &pre) {
            let reason = library.take(error)
            api.wasmtime_linker_delete!(linker)
            api.wasmtime_module_delete!(module)
            throw ModuleLoadError(module: name, reason: "cannot link: \(reason)")
        }
        instancePre = pre!
    }

    deinit {
        let api = owner.library.api.pointee
        api.wasmtime_instance_pre_delete!(instancePre)
        api.wasmtime_linker_delete!(linker)
        api.wasmtime_module_delete!(module)
    }

    func exportsFunction(_ name: String) -> Bool {
        functionExports.contains(name)
    }

    func importsHostFunction(_ name: String) -> Bool {
        plan.importsSwiftlet(name)
    }

    func instantiate(_ options: InstanceOptions, session: GuestSession, prepareAhead: Bool) throws(GuestFailure)
        -> any GuestInstance
    {
        // Compiled code needs no preparation: an instance-pre is as ready as it gets.
        do {
            return try WasmtimeInstance(module: self, options: options, session: session)
        } catch let failure where failure.kind == .overloaded && bytes != nil {
            return try overflow().instantiate(options, session: session, prepareAhead: prepareAhead)
        }
    }

    /// The module on the unpooled engine (compiled once, or read from the compile cache).
    private func overflow() throws(GuestFailure) -> WasmtimeModule {
        if let made = spill.withLock({ $0 }) { return made }
        guard let bytes else { throw GuestFailure(.overloaded, "\(name): Wasmtime's instance pool is full") }
        do {
            let made = try owner.loadUnpooled(bytes: bytes, name: name, meterFuel: backend.key.meterFuel)
            return spill.withLock { spill in
                if let spill { return spill }
                spill = made
                return made
            }
        } catch {
            throw GuestFailure(.instantiation, "\(name): cannot load beside the full instance pool: \(error.reason)")
        }
    }

    /// The module's imports and the names of its function exports.
    private static func describe(_ module: OpaquePointer, api: swiftlet_wasmtime_api) -> ([ModuleImport], Set<String>) {
        var imports: [ModuleImport] = []
        var list = wasm_importtype_vec_t()
        api.wasmtime_module_imports!(module, &list)
        for index in 0..<list.size {
            let entry = list.data[index]
            let kind: ModuleImport.Kind
            let type = api.wasm_importtype_type!(entry)
            if api.wasm_externtype_kind!(type) == WASM_EXTERN_FUNC, let function = api.wasm_externtype_as_functype_const!(type) {
                kind = .function(functionType(function, api: api))
            } else {
                kind = .other("kind \(api.wasm_externtype_kind!(type))")
            }
            imports.append(
                ModuleImport(
                    module: string(api.wasm_importtype_module!(entry)), name: string(api.wasm_importtype_name!(entry)),
                    kind: kind))
        }
        api.wasm_importtype_vec_delete!(&list)
        var exports = Set<String>()
        var exported = wasm_exporttype_vec_t()
        api.wasmtime_module_exports!(module, &exported)
        for index in 0..<exported.size {
            let entry = exported.data[index]
            if api.wasm_externtype_kind!(api.wasm_exporttype_type!(entry)) == WASM_EXTERN_FUNC {
                exports.insert(string(api.wasm_exporttype_name!(entry)))
            }
        }
        api.wasm_exporttype_vec_delete!(&exported)
        return (imports, exports)
    }

    private static func string(_ name: UnsafePointer<wasm_name_t>?) -> String {
        guard let name = name?.pointee, name.size > 0, let data = name.data else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: name.size), as: UTF8.self)
    }

    private static func functionType(_ type: OpaquePointer, api: swiftlet_wasmtime_api) -> FunctionType {
        func kinds(_ vector: UnsafePointer<wasm_valtype_vec_t>?) -> [ValueType] {
            guard let vector = vector?.pointee else { return [] }
            return (0..<vector.size).map { index -> ValueType in
                switch Int32(api.wasm_valtype_kind!(vector.data[index])) {
                case WASM_I32: .i32
                case WASM_I64: .i64
                case WASM_F32: .f32
                case WASM_F64: .f64
                case WASM_V128: .v128
                case WASM_FUNCREF: .ref(.funcRef)
                default: .ref(.externRef)
                }
            }
        }
        return FunctionType(parameters: kinds(api.wasm_functype_params!(type)), results: kinds(api.wasm_functype_results!(type)))
    }

    /// A `wasm_functype_t` for `type`; the caller deletes it.
    private static func functype(_ type: FunctionType, api: swiftlet_wasmtime_api) -> OpaquePointer {
        func vector(_ types: [ValueType]) -> wasm_valtype_vec_t {
            var vector = wasm_valtype_vec_t()
            var items: [OpaquePointer?] = types.map { type in
                let kind: Int32 =
                    switch type {
                    case .i32: WASM_I32
                    case .i64: WASM_I64
                    case .f32: WASM_F32
                    default: WASM_F64
                    }
                return api.wasm_valtype_new!(UInt8(kind))
            }
            items.withUnsafeMutableBufferPointer { api.wasm_valtype_vec_new!(&vector, $0.count, $0.baseAddress) }
            return vector
        }
        var parameters = vector(type.parameters)
        var results = vector(type.results)
        return api.wasm_functype_new!(&parameters, &results)!
    }
}
