/// One guest's linear memory as host functions see it, independent of the engine.
///
/// Engines expose unchecked access; everything in this module goes through the checked
/// helpers below first, because an engine's raw accessors may crash the host on a bad range
/// (WasmKit's do, with a precondition).
public protocol GuestMemoryView: SendableMetatype {
    /// The current size of the memory in bytes.
    var byteCount: Int { get }
    /// Calls `body` with the bytes `offset..<offset+count`. Callers have checked the range.
    func withUncheckedBytes<R>(
        offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R
    ) rethrows -> R
}

extension GuestMemoryView {
    /// Whether `pointer..<pointer+length` lies inside memory. Computed in 64 bits so a
    /// wrapping 32-bit sum cannot sneak past the check.
    @inlinable
    public func contains(_ pointer: UInt32, _ length: UInt32) -> Bool {
        UInt64(pointer) + UInt64(length) <= UInt64(byteCount)
    }

    /// Calls `body` with the guest bytes at `pointer`, or throws ``ABIError/fault``.
    @inlinable
    public func withBytes<R>(
        _ pointer: UInt32, _ length: UInt32, _ body: (UnsafeMutableRawBufferPointer) throws(ABIError) -> R
    ) throws(ABIError) -> R {
        guard contains(pointer, length) else { throw .fault }
        if length == 0 { return try body(UnsafeMutableRawBufferPointer(start: nil, count: 0)) }
        return try withUncheckedBytes(offset: Int(pointer), count: Int(length)) { buffer in
            Result { () throws(ABIError) -> R in try body(buffer) }
        }.get()
    }

    /// Copies `length` guest bytes out of memory.
    public func readBytes(_ pointer: UInt32, _ length: UInt32) throws(ABIError) -> [UInt8] {
        try withBytes(pointer, length) { Array(UnsafeRawBufferPointer($0)) }
    }

    /// Reads a UTF-8 string from guest memory; invalid UTF-8 is ``ABIError/invalid``.
    public func readString(_ pointer: UInt32, _ length: UInt32) throws(ABIError) -> String {
        let string: String? = try withBytes(pointer, length) { buffer in
            String(validating: UnsafeRawBufferPointer(buffer), as: UTF8.self)
        }
        guard let string else { throw .invalid }
        return string
    }

    /// Reads a little-endian `u32` at `pointer`.
    public func readUInt32(_ pointer: UInt32) throws(ABIError) -> UInt32 {
        try withBytes(pointer, 4) { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
    }

    /// Writes a little-endian `u32` at `pointer`.
    public func writeUInt32(_ value: UInt32, at pointer: UInt32) throws(ABIError) {
        try withBytes(pointer, 4) { $0.storeBytes(of: value.littleEndian, as: UInt32.self) }
    }

    /// Copies `bytes` into the guest buffer `pointer..<pointer+capacity` using the ABI's
    /// copy-out convention: the result is the full length; when it exceeds `capacity`
    /// nothing is written and the guest calls again with a larger buffer.
    public func copyOut(
        _ bytes: some Collection<UInt8>, to pointer: UInt32, capacity: UInt32
    ) throws(ABIError) -> Int32 {
        guard bytes.count <= Int32.max else { throw .tooLarge }
        guard contains(pointer, capacity) else { throw .fault }
        let count = bytes.count
        if count <= Int(capacity), count > 0 {
            try withBytes(pointer, UInt32(count)) { buffer in
                buffer.copyBytes(from: bytes)
            }
        }
        return Int32(count)
    }
}
