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
///
/// Instances come from Wasmtime's pooling allocator: slots of address space reserved once
/// and reused. With the default allocator every instance maps and unmaps its own 4 GiB
/// reservation, and each unmap flushes the TLBs of every core running the process
/// (profiled: most of a WAGI request's time went to the kernel). A module the pool's slots
/// cannot hold (more than one memory or table, a table over 20,000 entries) gets an engine
/// without a pool, and so do instances past the pool's slots.
public final class WasmtimeEngine: GuestEngine {
    public var kind: EngineKind { .wasmtime }
    let library: WasmtimeLibrary
    let cache: CompiledModuleCache?
    /// Instance slots in each pooled engine; 0 turns pooling off.
    public let poolSlots: Int
    /// Engines are shared by every `WasmtimeEngine` of the process: a pool reserves
    /// address space and kernel mappings once, however many servers or tests run.
    private static let backends = Locked<[Backend.Key: Backend]>([:])
    private let logger: Logger

    /// One `wasm_engine_t` and its settings.
    final class Backend: @unchecked Sendable {
        struct Key: Hashable {
            var meterFuel: Bool
            var pooled: Bool
            var poolSlots: Int
            var library: String
        }

        let handle: OpaquePointer
        let key: Key
        /// Instance slots (0: not pooled), for the message when they run out.
        let poolSlots: Int
        private let library: WasmtimeLibrary

        init(library: WasmtimeLibrary, key: Key, poolSlots: Int) {
            let api = library.api.pointee
            let config = api.wasm_config_new!()!
            api.wasmtime_config_epoch_interruption_set!(config, true)
            api.wasmtime_config_consume_fuel_set!(config, key.meterFuel)
            api.wasmtime_config_cranelift_opt_level_set!(config, UInt8(WASMTIME_OPT_LEVEL_SPEED))
            // Compiling on the caller's thread keeps start-up from competing with requests
            // for more cores than the host has.
            api.wasmtime_config_parallel_compilation_set!(config, false)
            var slots = 0
            if key.pooled, poolSlots > 0, Self.canReserve(slots: poolSlots), let new = api.wasmtime_pooling_allocation_config_new,
                let setInstances = api.wasmtime_pooling_allocation_config_total_core_instances_set,
                let setMemories = api.wasmtime_pooling_allocation_config_total_memories_set,
                let setTables = api.wasmtime_pooling_allocation_config_total_tables_set,
                let setMaxMemory = api.wasmtime_pooling_allocation_config_max_memory_size_set,
                let use = api.wasmtime_pooling_allocation_strategy_set, let delete = api.wasmtime_pooling_allocation_config_delete,
                let pool = new()
            {
                let count = UInt32(clamping: poolSlots)
                setInstances(pool, count)
                setMemories(pool, count)
                setTables(pool, count)
                // As large as any component's limit may be (the manifest allows 4 GiB); the
                // store limiter enforces the component's own.
                setMaxMemory(pool, 4 << 30)
                // A small guest's memory (up to 128 KiB: the C WAGI hello's two pages) and
                // table are zeroed in place when its slot is freed; only what lies beyond is
                // given back to the kernel, with an madvise that interrupts every core to
                // flush its TLB. Measured on the C WAGI hello with wrk: 6.7k req/s without
                // the pool, 9.0k pooled, 12-14k keeping 128 KiB (64 KiB: 10k, 256 KiB and
                // 1 MiB: no better; batching give-backs by 16: worse).
                api.wasmtime_pooling_allocation_config_linear_memory_keep_resident_set?(pool, 128 << 10)
                api.wasmtime_pooling_allocation_config_table_keep_resident_set?(pool, 16 << 10)
                // Each of the 1,000 default fiber stacks has a guard page, and each guard
                // page is a kernel mapping of its own: Swiftlet makes no async calls.
                api.wasmtime_pooling_allocation_config_total_stacks_set?(pool, 0)
                use(config, pool)
                delete(pool)
                slots = poolSlots
            }
            handle = api.wasm_engine_new_with_config!(config)!
            self.key = key
            self.poolSlots = slots
            self.library = library
        }

        /// Address space one pool slot takes: a 4 GiB memory reservation and Wasmtime's
        /// 32 MiB guard, rounded up for its other per-slot regions.
        static let slotReservation: Int = (4 << 30) + (64 << 20)

        /// Whether the pool's address space can be reserved. Wasmtime aborts the process
        /// when it cannot map its pool (an address-space limit, many engines in one
        /// process), so the reservation is tried here first and the pool left out if it fails.
        static func canReserve(slots: Int) -> Bool {
            let (bytes, overflow) = slots.multipliedReportingOverflow(by: slotReservation)
            guard !overflow else { return false }
            let region = mmap(nil, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
            guard let region, region != MAP_FAILED else { return false }
            munmap(region, bytes)
            return true
        }

        /// Modules and stores hold the engine too (Wasmtime counts references), so this
        /// only drops Swiftlet's hold.
        deinit {
            library.api.pointee.wasm_engine_delete!(handle)
        }
    }

    /// Loads the library (see ``WasmtimeLibrary/load(environment:)``) and makes the engine.
    /// - Parameters:
    ///   - cacheDirectory: where compiled code is kept; `nil` keeps none.
    ///   - poolSlots: instances the pooling allocator holds at once (`SWIFTLET_WASMTIME_POOL`,
    ///     default 200; each takes 4 GiB of address space, not of memory); instances past
    ///     them are allocated one by one. 0 allocates every instance anew.
    public init(
        library: WasmtimeLibrary, cacheDirectory: String? = WasmtimeEngine.defaultCacheDirectory(),
        poolSlots: Int = WasmtimeEngine.defaultPoolSlots(), logger: Logger = Logger(label: "swiftlet")
    ) {
        self.library = library
        cache = cacheDirectory.map { CompiledModuleCache(directory: $0) }
        self.poolSlots = max(0, poolSlots)
        self.logger = logger
    }

    /// `$SWIFTLET_CACHE_DIR/wasmtime`, else `$XDG_CACHE_HOME/swiftlet/wasmtime`, else
    /// `~/.cache/swiftlet/wasmtime`.
    public static func defaultCacheDirectory() -> String {
        CompiledModuleCache.defaultDirectory()
    }

    /// `SWIFTLET_WASMTIME_POOL` when it is a number (at most 10,000), else 200.
    public static func defaultPoolSlots(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        environment["SWIFTLET_WASMTIME_POOL"].flatMap { Int($0) }.map { min(max(0, $0), 10_000) } ?? 200
    }

    func backend(meterFuel: Bool, pooled: Bool) -> Backend {
        let pooled = pooled && poolSlots > 0
        let key = Backend.Key(meterFuel: meterFuel, pooled: pooled, poolSlots: pooled ? poolSlots : 0, library: library.path)
        return Self.backends.withLock { backends in
            if let backend = backends[key] { return backend }
            let made = Backend(library: library, key: key, poolSlots: poolSlots)
            backends[key] = made
            return made
        }
    }

    /// Stops a call: every store running on `backend` checks its interrupt flag once.
    func nudge(_ backend: Backend) {
        library.api.pointee.wasmtime_engine_increment_epoch(backend.handle)
    }

    public func loadModule(bytes: [UInt8], name: String, meterFuel: Bool) throws(ModuleLoadError) -> any GuestModule {
        let pooled = backend(meterFuel: meterFuel, pooled: true)
        guard pooled.poolSlots > 0 else { return try loadUnpooled(bytes: bytes, name: name, meterFuel: meterFuel) }
        do {
            let module = try compile(bytes, name: name, backend: pooled)
            return try WasmtimeModule(name: name, module: module, engine: self, backend: pooled, bytes: bytes)
        } catch {
            // Wasmtime checks a module against the pool's slot sizes when it loads it.
            let module = try loadUnpooled(bytes: bytes, name: name, meterFuel: meterFuel)
            logger.info("\(name) does not fit Wasmtime's instance pool (\(error.reason)); its instances are allocated one by one")
            return module
        }
    }

    /// The module on the engine without a pool.
    func loadUnpooled(bytes: [UInt8], name: String, meterFuel: Bool) throws(ModuleLoadError) -> WasmtimeModule {
        let unpooled = backend(meterFuel: meterFuel, pooled: false)
        let module = try compile(bytes, name: name, backend: unpooled)
        return try WasmtimeModule(name: name, module: module, engine: self, backend: unpooled, bytes: nil)
    }

    /// Deserializes the cached artifact or compiles (and caches) the module.
    private func compile(_ bytes: [UInt8], name: String, backend: Backend) throws(ModuleLoadError) -> OpaquePointer {
        let api = library.api.pointee
        let entry = cache?.path(module: bytes, variant: backend.key.meterFuel ? "fuel" : "plain")
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
