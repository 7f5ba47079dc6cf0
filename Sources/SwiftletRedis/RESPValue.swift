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
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var copy = buffer
        guard let value = try Self.parse(&copy) else { return .needMoreData }
        buffer = copy
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    struct ProtocolError: Error, CustomStringConvertible {
        let description: String
    }

    /// One value from `buffer`, or `nil` (buffer untouched by the caller) when incomplete.
    static func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        guard let line = readLine(&buffer) else { return nil }
        guard let marker = line.first else { throw ProtocolError(description: "empty RESP line") }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch marker {
        case UInt8(ascii: "+"): return .simpleString(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"):
            guard let value = Int(rest) else { throw ProtocolError(description: "bad integer \(rest)") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let length = Int(rest) else { throw ProtocolError(description: "bad bulk length \(rest)") }
            if length < 0 { return .bulk(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            buffer.moveReaderIndex(forwardBy: 2)
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(rest) else { throw ProtocolError(description: "bad array length \(rest)") }
            if count < 0 { return .array(nil) }
            var values: [RESPValue] = []
            values.reserveCapacity(count)
            for _ in 0..<count {
                guard let value = try parse(&buffer) else { return nil }
                values.append(value)
            }
            return .array(values)
        default:
            throw ProtocolError(description: "unknown RESP type byte \(marker)")
        }
    }

    static func readLine(_ buffer: inout ByteBuffer) -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")), newline > view.startIndex,
            view[newline - 1] == UInt8(ascii: "\r")
        else { return nil }
        let length = newline - view.startIndex - 1
        let line = buffer.readBytes(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}
