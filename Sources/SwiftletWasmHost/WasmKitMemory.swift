import SwiftletABI
import WasmKit

/// WasmKit's memory seen through the engine-neutral view. Its own accessor stops the
/// process on a bad range, so only the checked helpers of ``GuestMemoryView`` call this.
extension Memory: GuestMemoryView {
    public func withUncheckedBytes<R>(
        offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R
    ) rethrows -> R {
        try withUnsafeMutableBufferPointer(offset: UInt(offset), count: count, body)
    }
}

extension Value {
    /// The value's bits, for engine-neutral host functions that take raw arguments.
    var rawBits: UInt64 {
        switch self {
        case .i32(let value): UInt64(value)
        case .i64(let value): value
        case .f32(let value): UInt64(value)
        case .f64(let value): value
        default: 0
        }
    }
}

extension ABIValueType {
    var wasmKitType: ValueType {
        switch self {
        case .i32: .i32
        case .i64: .i64
        }
    }
}
