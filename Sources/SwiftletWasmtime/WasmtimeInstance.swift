import CSwiftletWasmtime
import Foundation
import SwiftletABI
import SwiftletWasmHost

/// A Wasmtime store with one instance in it.
///
/// Used by one thread at a time (pools order the hand-over); ``interrupt()`` is safe from
/// any thread: it sets a flag and ticks the engine's epoch, and the store's epoch callback,
/// on the guest's own thread, ends the call.
final class WasmtimeInstance: GuestInstance, @unchecked Sendable {
    let session: GuestSession
    private let module: WasmtimeModule
    private let api: UnsafeMutablePointer<swiftlet_wasmtime_api>
    private let store: OpaquePointer
    private let context: OpaquePointer
    private let data: WasmtimeStoreData
    private let memoryLimit: Int
    private var handler: wasmtime_func_t?
    private var start: wasmtime_func_t?
    private var closed = false

    init(module: WasmtimeModule, options: InstanceOptions, session: GuestSession) throws(GuestFailure) {
        self.session = session
        self.module = module
        memoryLimit = options.memoryLimit
        api = module.owner.library.api
        let api = api.pointee
        let link = try InstanceLink<WasmtimeMemory>(plan: module.plan, options: options, session: session)
        data = WasmtimeStoreData(api: self.api, link: link)
        store = api.wasmtime_store_new!(module.backend.handle, Unmanaged.passRetained(data).toOpaque(), wasmtimeStoreFinalizer)!
        context = api.wasmtime_store_context!(store)!
        // One instance with one memory; tables as large as any real module needs.
        api.wasmtime_store_limiter!(store, Int64(options.memoryLimit), 1 << 20, -1, -1, -1)
        api.wasmtime_store_epoch_deadline_callback!(store, wasmtimeEpochCallback, Unmanaged.passUnretained(data).toOpaque(), nil)

        // A start function or `_initialize` is guest code too: bound it like a request.
        var instance = wasmtime_instance_t()
        let instantiated = startup(timeout: options.startupTimeoutNanoseconds) { () -> Failure? in
            var trap: OpaquePointer?
            let error = api.wasmtime_instance_pre_instantiate!(module.instancePre, context, &instance, &trap)
            return failure(error: error, trap: trap)
        }
        if let instantiated {
            close()
            if module.backend.poolSlots > 0, instantiated.message.contains("maximum concurrent limit") {
                // The module retries on an engine without a pool.
                throw GuestFailure(.overloaded, "all \(module.backend.poolSlots) slots of Wasmtime's instance pool are in use")
            }
            if instantiated.message.contains("exceeds memory limits") {
                throw GuestFailure(
                    .memoryLimit, "\(module.name) needs more initial memory than its limit of \(options.memoryLimit) bytes")
            }
            throw GuestFailure(.instantiation, "cannot instantiate \(module.name): \(instantiated.message)")
        }
        if case .memory(let memory)? = export("memory", of: &instance) { data.memory = memory }
        if case .function(let function)? = export(SwiftletImportModule.handlerExport, of: &instance) { handler = function }
        if case .function(let function)? = export("_start", of: &instance) { start = function }
        // A WASI reactor runs its constructors once; per-request calls come after.
        if case .function(var initialize)? = export("_initialize", of: &instance) {
            let failed = startup(timeout: options.startupTimeoutNanoseconds) { () -> Failure? in
                var slot = wasmtime_val_raw_t()
                var trap: OpaquePointer?
                let error = api.wasmtime_func_call_unchecked!(context, &initialize, &slot, 1, &trap)
                return failure(error: error, trap: trap)
            }
            if let failed {
                close()
                throw GuestFailure(.instantiation, "\(module.name): _initialize failed: \(failed.message)")
            }
        }
        recordMemorySize()
    }

    deinit {
        close()
    }

    var memoryByteCount: Int {
        guard var memory = data.memory else { return 0 }
        return api.pointee.wasmtime_memory_data_size!(context, &memory)
    }

    func close() {
        guard !closed else { return }
        closed = true
        data.link.close()
        // Frees the instance, its memory and (through the finalizer) the store's data.
        api.pointee.wasmtime_store_delete!(store)
    }

    func interrupt() {
        data.stopRequested.store(true, ordering: .releasing)
        module.owner.nudge(module.backend)
    }

    func call(_ entry: GuestEntry, fuel: UInt64?, deadline: UInt64?) throws(GuestTrap) -> GuestCallResult {
        let api = api.pointee
        var function: wasmtime_func_t
        switch entry {
        case .handler:
            guard let handler else { throw GuestTrap(.other, "the module does not export \(SwiftletImportModule.handlerExport)") }
            function = handler
        case .command:
            guard let start else { throw GuestTrap(.other, "the module does not export _start") }
            function = start
        }
        let metered = module.backend.key.meterFuel
        let budget = fuel ?? UInt64.max / 2
        if metered, let error = api.wasmtime_context_set_fuel!(context, budget) {
            throw GuestTrap(.other, module.owner.library.take(error))
        }
        prepareCall(deadline: deadline)
        defer { data.link.deadline = nil }
        var slot = wasmtime_val_raw_t()
        var trap: OpaquePointer?
        let error = api.wasmtime_func_call_unchecked!(context, &function, &slot, 1, &trap)
        var consumed: UInt64 = 0
        if metered, fuel != nil {
            var left: UInt64 = 0
            if let error = api.wasmtime_context_get_fuel!(context, &left) {
                _ = module.owner.library.take(error)
            } else {
                consumed = budget - min(budget, left)
            }
        }
        recordMemorySize()
        if let failure = failure(error: error, trap: trap) {
            throw GuestTrap(failure.kind, failure.message, memoryRefused: memoryNearLimit, fuelConsumed: consumed)
        }
        let value = entry == .handler ? slot.i32 : 0
        return GuestCallResult(value: value, fuelConsumed: consumed)
    }

    // MARK: - Helpers

    private enum Export {
        case function(wasmtime_func_t)
        case memory(wasmtime_memory_t)
    }

    private func export(_ name: String, of instance: inout wasmtime_instance_t) -> Export? {
        var item = wasmtime_extern_t()
        let found = name.withCString { api.pointee.wasmtime_instance_export_get!(context, &instance, $0, strlen($0), &item) }
        guard found else { return nil }
        switch Int32(item.kind) {
        case WASMTIME_EXTERN_FUNC: return .function(item.of.func)
        case WASMTIME_EXTERN_MEMORY: return .memory(item.of.memory)
        default: return nil
        }
    }

    /// Resets what a previous call may have left: the interrupt flag, a host error, the
    /// epoch deadline (one tick: every epoch tick asks the callback whether to stop).
    private func prepareCall(deadline: UInt64?) {
        data.stopRequested.store(false, ordering: .relaxed)
        data.pendingError = nil
        data.link.deadline = deadline
        api.pointee.wasmtime_context_set_epoch_deadline!(context, 1)
    }

    /// Runs instantiation code under its own deadline.
    private func startup(timeout: UInt64, _ body: () -> Failure?) -> Failure? {
        if module.backend.key.meterFuel, let error = api.pointee.wasmtime_context_set_fuel!(context, UInt64.max / 2) {
            return Failure(kind: .other, message: module.owner.library.take(error))
        }
        prepareCall(deadline: nil)
        let watch = Watchdog.shared.watch(deadline: MonotonicClock.now() &+ timeout) { [self] in interrupt() }
        defer { Watchdog.shared.finish(watch) }
        return body()
    }

    private struct Failure {
        let kind: GuestTrap.Kind
        let message: String
    }

    /// What a failed call's error or trap means; `nil` when the call succeeded.
    private func failure(error: OpaquePointer?, trap: OpaquePointer?) -> Failure? {
        let library = module.owner.library
        let errorText = error.map { library.take($0) }
        let trapInfo = trap.map { library.take(trap: $0) }
        if let pending = data.pendingError {
            data.pendingError = nil
            return Failure(kind: .host(pending), message: "\(pending)")
        }
        if let trapInfo {
            return Self.failure(code: trapInfo.code, message: trapInfo.message)
        }
        guard let errorText else { return nil }
        if data.stopRequested.load(ordering: .acquiring) { return Failure(kind: .interrupted, message: "interrupted") }
        return Failure(kind: .other, message: errorText)
    }

    /// Trap codes in the words the WasmKit tier uses, so a guest fails the same way on both.
    private static func failure(code: Int32, message: String) -> Failure {
        switch code {
        case Int32(WASMTIME_TRAP_CODE_STACK_OVERFLOW): Failure(kind: .stackExhausted, message: "call stack exhausted")
        case Int32(WASMTIME_TRAP_CODE_MEMORY_OUT_OF_BOUNDS): Failure(kind: .other, message: "out of bounds memory access")
        case Int32(WASMTIME_TRAP_CODE_HEAP_MISALIGNED): Failure(kind: .other, message: "unaligned atomic")
        case Int32(WASMTIME_TRAP_CODE_TABLE_OUT_OF_BOUNDS): Failure(kind: .other, message: "out of bounds table access")
        case Int32(WASMTIME_TRAP_CODE_INDIRECT_CALL_TO_NULL): Failure(kind: .other, message: "indirect call to null element")
        case Int32(WASMTIME_TRAP_CODE_BAD_SIGNATURE): Failure(kind: .other, message: "indirect call type mismatch")
        case Int32(WASMTIME_TRAP_CODE_INTEGER_OVERFLOW): Failure(kind: .other, message: "integer overflow")
        case Int32(WASMTIME_TRAP_CODE_INTEGER_DIVISION_BY_ZERO): Failure(kind: .other, message: "integer divide by zero")
        case Int32(WASMTIME_TRAP_CODE_BAD_CONVERSION_TO_INTEGER): Failure(kind: .other, message: "invalid conversion to integer")
        case Int32(WASMTIME_TRAP_CODE_UNREACHABLE_CODE_REACHED): Failure(kind: .other, message: "unreachable")
        case Int32(WASMTIME_TRAP_CODE_INTERRUPT): Failure(kind: .interrupted, message: "interrupted")
        case Int32(WASMTIME_TRAP_CODE_OUT_OF_FUEL): Failure(kind: .outOfFuel, message: "out of fuel")
        case Int32(WASMTIME_TRAP_CODE_NULL_REFERENCE): Failure(kind: .other, message: "null reference")
        default: Failure(kind: .other, message: message)
        }
    }

    /// Wasmtime's store limiter refuses growth silently (`memory.grow` returns -1) and the
    /// C API has no hook to learn of it. A guest that traps with little headroom left is
    /// taken to have run into its limit: the allocation that failed (typically a block of up
    /// to a few MiB) did not fit.
    private var memoryNearLimit: Bool {
        memoryLimit - memoryByteCount < max(2 << 20, memoryLimit / 8)
    }

    private func recordMemorySize() {
        data.link.account.memoryResized(to: memoryByteCount)
    }
}
