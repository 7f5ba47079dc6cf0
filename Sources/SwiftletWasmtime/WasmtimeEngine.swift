import CSwiftletWasmtime
import Foundation
import Logging
import SwiftletWasmHost
import SwiftletCore

/// The compiled tier: Wasmtime's Cranelift code through its C API.
///
/// One Wasmtime engine per fuel setting (metering is compiled into the code, so components
/// without a fuel budget do not pay for it), both with epoch interruption, which is how a
/// call is stopped at its deadline.
public final class WasmtimeEngine: GuestEngine {
    public var kind: EngineKind { .wasmtime }
    let library: WasmtimeLibrary
    let cache: CompiledModuleCache?
    private let plain: Backend
    private let metered = Locked<Backend?>(nil)
    private let logger: Logger

    /// One `wasm_engine_t` and its settings.
    final class Backend: @unchecked Sendable {
        let handle: OpaquePointer
        let meterFuel: Bool
        private let library: WasmtimeLibrary

        init(library: WasmtimeLibrary, meterFuel: Bool) {
            let api = library.api.pointee
            let config = api.wasm_config_new!()!
            api.wasmtime_config_epoch_interruption_set!(config, true)
            api.wasmtime_config_consume_fuel_set!(config, meterFuel)
            api.wasmtime_config_cranelift_opt_level_set!(config, UInt8(WASMTIME_OPT_LEVEL_SPEED))
            // Compiling on the caller's thread keeps start-up from competing with requests
            // for more cores than the host has.
            api.wasmtime_config_parallel_compilation_set!(config, false)
            handle = api.wasm_engine_new_with_config!(config)!
            self.meterFuel = meterFuel
            self.library = library
        }

        /// Modules and stores hold the engine too (Wasmtime counts references), so this
        /// only drops Swiftlet's hold.
        deinit {
            library.api.pointee.wasm_engine_delete!(handle)
        }
    }

    /// Loads the library (see ``WasmtimeLibrary/load(environment:)``) and makes the engine.
    /// - Parameter cacheDirectory: where compiled code is kept; `nil` keeps none.
    public init(
        library: WasmtimeLibrary, cacheDirectory: String? = WasmtimeEngine.defaultCacheDirectory(),
        logger: Logger = Logger(label: "swiftlet")
    ) {
        self.library = library
        cache = cacheDirectory.map { CompiledModuleCache(directory: $0) }
        plain = Backend(library: library, meterFuel: false)
        self.logger = logger
    }

    /// `$SWIFTLET_CACHE_DIR/wasmtime`, else `$XDG_CACHE_HOME/swiftlet/wasmtime`, else
    /// `~/.cache/swiftlet/wasmtime`.
    public static func defaultCacheDirectory() -> String {
        CompiledModuleCache.defaultDirectory()
    }

    func backend(meterFuel: Bool) -> Backend {
        guard meterFuel else { return plain }
        return metered.withLock { backend in
            if let backend { return backend }
            let made = Backend(library: library, meterFuel: true)
            backend = made
            return made
        }
    }

    /// Stops a call: every store running on `backend` checks its interrupt flag once.
    func nudge(_ backend: Backend) {
        library.api.pointee.wasmtime_engine_increment_epoch(backend.handle)
    }

    public func loadModule(bytes: [UInt8], name: String, meterFuel: Bool) throws(ModuleLoadError) -> any GuestModule {
        let backend = backend(meterFuel: meterFuel)
        let module = try compile(bytes, name: name, backend: backend)
        return try WasmtimeModule(name: name, module: module, engine: self, backend: backend)
    }

    /// Deserializes the cached artifact or compiles (and caches) the module.
    private func compile(_ bytes: [UInt8], name: String, backend: Backend) throws(ModuleLoadError) -> OpaquePointer {
        let api = library.api.pointee
        let entry = cache?.path(module: bytes, variant: backend.meterFuel ? "fuel" : "plain")
        if let entry, let artifact = cache?.read(entry) {
            var module: OpaquePointer?
            if let error = artifact.withUnsafeBufferPointer({ api.wasmtime_module_deserialize!(backend.handle, $0.baseAddress, $0.count, &module) }) {
                logger.warning("compiled-code cache entry \(entry) is unusable, compiling again: \(library.take(error))")
            } else if let module {
                return module
            }
        }
        var module: OpaquePointer?
        if let error = bytes.withUnsafeBufferPointer({ api.wasmtime_module_new!(backend.handle, $0.baseAddress, $0.count, &module) }) {
            throw ModuleLoadError(module: name, reason: "not a valid WebAssembly module: \(library.take(error))")
        }
        guard let module else { throw ModuleLoadError(module: name, reason: "Wasmtime returned no module") }
        if let entry {
            var artifact = wasm_byte_vec_t()
            if let error = api.wasmtime_module_serialize!(module, &artifact) {
                logger.warning("cannot cache compiled code for \(name): \(library.take(error))")
            } else {
                cache?.write(Array(UnsafeBufferPointer(start: artifact.data, count: artifact.size)), to: entry)
                api.wasm_byte_vec_delete!(&artifact)
            }
        }
        return module
    }
}
