import SwiftletABI
import Testing

/// The ABI's length-prefixed frames, as a hostile guest can shape them: every truncation of
/// a valid frame is refused rather than read past its end, and lengths near `u32.max`
/// neither wrap nor allocate.
@Suite("Frames")
struct FrameReaderTests {
    static func sample() -> [UInt8] {
        var writer = FrameWriter()
        writer.u32(2)
        writer.field(Array("key".utf8))
        writer.field([])
        writer.i32(-7)
        writer.field(Array("värde".utf8))
        return writer.bytes
    }

    static func read(_ bytes: [UInt8]) throws(ABIError) -> (UInt32, String, [UInt8], Int32, String) {
        var reader = FrameReader(bytes)
        let values = (try reader.u32(), try reader.string(), try reader.field(), try reader.i32(), try reader.string())
        guard reader.isAtEnd else { throw .invalid }
        return values
    }

    @Test func whatTheWriterWritesTheReaderReads() throws {
        let (count, key, empty, number, value) = try Self.read(Self.sample())
        #expect(count == 2 && key == "key" && empty.isEmpty && number == -7 && value == "värde")
    }

    @Test func everyTruncationIsRefused() {
        let bytes = Self.sample()
        for length in 0..<bytes.count {
            #expect(throws: ABIError.self, "a frame cut at \(length) of \(bytes.count) bytes") {
                _ = try Self.read(Array(bytes[..<length]))
            }
        }
    }

    @Test func hugeLengthsAreRefusedWithoutAllocating() {
        for length: UInt32 in [UInt32.max, UInt32.max - 3, 1 << 31, 5] {
            var writer = FrameWriter()
            writer.u32(length)
            var reader = FrameReader(writer.bytes + [1, 2, 3, 4])
            #expect(throws: ABIError.self, "length \(length) with 4 bytes after it") { _ = try reader.field() }
        }
    }

    @Test func invalidUTF8IsRefusedAsAString() {
        var writer = FrameWriter()
        writer.field([0xC3, 0x28])
        var reader = FrameReader(writer.bytes)
        #expect(throws: ABIError.self) { _ = try reader.string() }
        var bytes = FrameReader(writer.bytes)
        #expect((try? bytes.field()) == [0xC3, 0x28], "the same bytes are a valid field")
    }
}
