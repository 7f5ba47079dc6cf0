import SwiftletABI

/// Shared by the test targets. Linear memory backed by a byte array, for testing host functions without an engine.
public final class TestMemory: GuestMemoryView {
    public var bytes: [UInt8]

    public init(size: Int = 65536) {
        bytes = Array(repeating: 0, count: size)
    }

    public var byteCount: Int { bytes.count }

    public func withUncheckedBytes<R>(
        offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R
    ) rethrows -> R {
        precondition(offset + count <= bytes.count, "a host function skipped its bounds check")
        return try bytes.withUnsafeMutableBytes { try body(UnsafeMutableRawBufferPointer(rebasing: $0[offset..<offset + count])) }
    }

    public func store(_ text: String, at offset: Int) {
        bytes.replaceSubrange(offset..<offset + text.utf8.count, with: Array(text.utf8))
    }

    public func string(at offset: Int, count: Int) -> String {
        String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }
}
