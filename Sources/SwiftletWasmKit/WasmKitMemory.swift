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
