import NIOCore

/// A RESP2 value.
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8]?)
    case array([RESPValue]?)

    var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        case .integer(let value): Array(String(value).utf8)
        default: nil
        }
    }

    var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    var int: Int? {
        switch self {
        case .integer(let value): value
        default: string.flatMap { Int($0) }
        }
    }

    var elements: [RESPValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    var isNull: Bool {
        switch self {
        case .bulk(nil), .array(nil): true
        default: false
        }
    }
}

/// Writes a command as a RESP array of bulk strings.
enum RESPEncoder {
    static func encode(_ arguments: [[UInt8]], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.count)\r\n")
            buffer.writeBytes(argument)
            buffer.writeString("\r\n")
        }
    }
}

/// Parses RESP2 replies, waiting for more bytes when a value is incomplete.
///
/// Every size comes from the server, so each is bounded before it is used: a bulk string
/// at most Redis's own 512 MB, an array at most 16M elements (space is reserved only for
/// the first thousand), nesting at most 32 deep, a line at most 64 KiB. Anything beyond is
/// a ``ProtocolError``, which closes the connection.
package struct RESPDecoder: ByteToMessageDecoder {
    package typealias InboundOut = RESPValue

    static let maxBulkLength = 512 << 20
    static let maxArrayCount = 1 << 24
    static let maxDepth = 32
    static let maxLineLength = 64 << 10

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var copy = buffer
        guard let value = try Self.parse(&copy) else { return .needMoreData }
        buffer = copy
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    package struct ProtocolError: Error, CustomStringConvertible {
        package let description: String
    }

    /// One value from `buffer`, or `nil` (buffer untouched by the caller) when incomplete.
    package static func parse(_ buffer: inout ByteBuffer, depth: Int = 0) throws -> RESPValue? {
        guard depth <= maxDepth else { throw ProtocolError(description: "RESP values nested deeper than \(maxDepth)") }
        guard let line = try readLine(&buffer) else { return nil }
        guard let marker = line.first else { throw ProtocolError(description: "empty RESP line") }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch marker {
        case UInt8(ascii: "+"): return .simpleString(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"):
            guard let value = Int(rest) else { throw ProtocolError(description: "bad integer \(rest.prefix(40))") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let length = Int(rest), length >= -1, length <= maxBulkLength else {
                throw ProtocolError(description: "bad bulk length \(rest.prefix(40))")
            }
            if length < 0 { return .bulk(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            guard buffer.readBytes(length: 2) == [UInt8(ascii: "\r"), UInt8(ascii: "\n")] else {
                throw ProtocolError(description: "bulk string not followed by CRLF")
            }
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(rest), count >= -1, count <= maxArrayCount else {
                throw ProtocolError(description: "bad array length \(rest.prefix(40))")
            }
            if count < 0 { return .array(nil) }
            var values: [RESPValue] = []
            values.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let value = try parse(&buffer, depth: depth + 1) else { return nil }
                values.append(value)
            }
            return .array(values)
        default:
            throw ProtocolError(description: "unknown RESP type byte \(marker)")
        }
    }

    /// A CRLF-terminated line without its terminator, or `nil` when it has not all arrived.
    static func readLine(_ buffer: inout ByteBuffer) throws -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let newline = view.prefix(maxLineLength + 2).firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > maxLineLength + 1 {
                throw ProtocolError(description: "a RESP line longer than \(maxLineLength) bytes")
            }
            return nil
        }
        guard newline > view.startIndex, view[newline - 1] == UInt8(ascii: "\r") else {
            throw ProtocolError(description: "a RESP line not ended by CRLF")
        }
        let length = newline - view.startIndex - 1
        let line = buffer.readBytes(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}
