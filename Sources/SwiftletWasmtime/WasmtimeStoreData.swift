import CSwiftletWasmtime
import SwiftletABI
import SwiftletWasmHost
import Synchronization
import WasmTypes

/// What one store carries for Swiftlet: the instance's host link, its memory, the interrupt
/// flag the epoch callback reads, and an error a host function raised.
///
/// Retained by the store (released by its finalizer), so the census account inside the
/// link lives exactly as long as Wasmtime's own state for the instance.
final class WasmtimeStoreData: @unchecked Sendable {
    let api: UnsafeMutablePointer<swiftlet_wasmtime_api>
    let link: InstanceLink<WasmtimeMemory>
    /// The instance's exported memory, once instantiated.
    var memory: wasmtime_memory_t?
    /// Set by ``WasmtimeInstance/interrupt()`` from any thread.
    let stopRequested = Atomic<Bool>(false)
    /// The error a host function failed the call with (Wasmtime only carries a message).
    var pendingError: (any Error)?

    init(api: UnsafeMutablePointer<swiftlet_wasmtime_api>, link: InstanceLink<WasmtimeMemory>) {
        self.api = api
        self.link = link
    }
}

/// One `swiftlet_v1` or WASI import of a module, as the `env` of its Wasmtime function.
final class WasmtimeBinding {
    let api: UnsafeMutablePointer<swiftlet_wasmtime_api>
    let index: Int
    let parameters: [ValueType]
    let result: ValueType?

    init(api: UnsafeMutablePointer<swiftlet_wasmtime_api>, index: Int, type: FunctionType) {
        self.api = api
        self.index = index
        parameters = type.parameters
        result = type.results.first
    }
}

/// Every import's entry point: finds the store's data and hands the call to the link.
/// Errors never unwind through Wasmtime's frames: they are kept in the store's data and the
/// call is failed with a trap.
let wasmtimeHostCall: wasmtime_func_unchecked_callback_t = { env, caller, slots, count in
    let binding = Unmanaged<WasmtimeBinding>.fromOpaque(env!).takeUnretainedValue()
    let api = binding.api.pointee
    let context = api.wasmtime_caller_context!(caller)!
    let data = Unmanaged<WasmtimeStoreData>.fromOpaque(api.wasmtime_context_get_data!(context)!).takeUnretainedValue()
    var memory = data.memory
    if memory == nil {
        // Before instantiation finished (a start function), look the export up.
        var item = wasmtime_extern_t()
        if api.wasmtime_caller_export_get!(caller, "memory", 6, &item), item.kind == WASMTIME_EXTERN_MEMORY {
            memory = item.of.memory
        }
    }
    guard let memory, let slots else {
        data.pendingError = HostCallFailure("the module does not export \"memory\"")
        return api.wasmtime_trap_new!("swiftlet: host call failed", 26)
    }
    var arguments = HostArguments()
    for (position, type) in binding.parameters.enumerated() {
        let slot = slots[position]
        arguments[position] =
            switch type {
            case .i32: UInt64(UInt32(bitPattern: slot.i32))
            case .i64: UInt64(bitPattern: slot.i64)
            case .f32: UInt64(slot.f32.bitPattern)
            default: slot.f64.bitPattern
            }
    }
    do {
        let value = try data.link.call(binding.index, memory: WasmtimeMemory(api: binding.api, context: context, memory: memory), arguments)
        switch binding.result {
        case .i32?: slots[0].i32 = Int32(truncatingIfNeeded: value)
        case .i64?: slots[0].i64 = Int64(bitPattern: value)
        case .f32?: slots[0].f32 = Float(bitPattern: UInt32(truncatingIfNeeded: value))
        case .f64?: slots[0].f64 = Double(bitPattern: value)
        default: break
        }
        return nil
    } catch {
        data.pendingError = error
        return api.wasmtime_trap_new!("swiftlet: host call failed", 26)
    }
}

/// Releases a binding when its linker goes.
let wasmtimeBindingFinalizer: wasmtime_finalizer_t = { env in
    Unmanaged<WasmtimeBinding>.fromOpaque(env!).release()
}

/// Releases a store's data when the store is deleted.
let wasmtimeStoreFinalizer: wasmtime_finalizer_t = { env in
    Unmanaged<WasmtimeStoreData>.fromOpaque(env!).release()
}

/// Runs each time an epoch tick reaches a running store: stops the call if it was asked
/// to, else lets it run to the next tick.
let wasmtimeEpochCallback: wasmtime_epoch_deadline_callback_t = { _, env, delta, kind in
    let data = Unmanaged<WasmtimeStoreData>.fromOpaque(env!).takeUnretainedValue()
    if data.stopRequested.load(ordering: .acquiring) {
        return data.api.pointee.wasmtime_error_new!("swiftlet: interrupted")
    }
    delta?.pointee = 1
    kind?.pointee = UInt8(WASMTIME_UPDATE_DEADLINE_CONTINUE)
    return nil
}

struct HostCallFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
