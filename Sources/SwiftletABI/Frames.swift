/// The byte framing of lists that cross the ABI (`state_get_bulk`, `state_transact`):
/// little-endian `u32` lengths before byte strings, so C guests can build and walk them
/// without a parser. `swiftlet.h` has helpers for both directions.
public struct FrameReader {
    let bytes: [UInt8]
    var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func u8() throws(ABIError) -> UInt8 {
        guard offset < bytes.count else { throw .invalid }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u32() throws(ABIError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw .invalid }
        defer { offset += 4 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    public mutating func i32() throws(ABIError) -> Int32 {
        Int32(bitPattern: try u32())
    }

    /// A `u32`-prefixed byte string.
    public mutating func field() throws(ABIError) -> [UInt8] {
        let count = Int(try u32())
        guard offset + count <= bytes.count else { throw .invalid }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func string() throws(ABIError) -> String {
        guard let text = String(validating: try field(), as: UTF8.self) else { throw .invalid }
        return text
    }
}

public struct FrameWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func u32(_ value: UInt32) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    public mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }

    public mutating func field(_ value: some Collection<UInt8>) {
        u32(UInt32(value.count))
        bytes += value
    }
}
