import CSwiftletWasmtime
import SwiftletABI
import WasmTypes

/// A Wasmtime linear memory seen through the engine-neutral views.
///
/// The base pointer is read on every access: growing the memory may move it.
struct WasmtimeMemory: GuestMemoryView, GuestMemory {
    let api: UnsafeMutablePointer<swiftlet_wasmtime_api>
    let context: OpaquePointer
    var memory: wasmtime_memory_t

    var byteCount: Int {
        withUnsafePointer(to: memory) { api.pointee.wasmtime_memory_data_size!(context, $0) }
    }

    func withUncheckedBytes<R>(offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows
        -> R
    {
        try withUnsafeMutableBufferPointer(offset: UInt(offset), count: count, body)
    }

    /// WasmKit's WASI implementation reads guest memory through this; Swiftlet's pointer
    /// guard has checked every range first. A range outside memory here is a host bug, and
    /// stops the process rather than touch memory that is not the guest's (as WasmKit's own
    /// accessor does).
    func withUnsafeMutableBufferPointer<T>(offset: UInt, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T)
        rethrows -> T
    {
        try withUnsafePointer(to: memory) { memory in
            let size = api.pointee.wasmtime_memory_data_size!(context, memory)
            precondition(offset <= UInt(size) && UInt(count) <= UInt(size) - offset, "guest memory access out of bounds")
            let base = api.pointee.wasmtime_memory_data!(context, memory)
            return try body(UnsafeMutableRawBufferPointer(start: base.map { $0 + Int(offset) }, count: count))
        }
    }
}
