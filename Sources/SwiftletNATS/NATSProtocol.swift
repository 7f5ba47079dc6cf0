import NIOCore

/// A message received on a subscription.
public struct NATSMessage: Sendable {
    public let subject: String
    public let replyTo: String?
    /// Header block (`NATS/1.0 <status>` line and fields), when sent with HMSG.
    public let headers: String?
    public let payload: [UInt8]

    /// The status code of a header-only status message (404 No Messages, 408 Timeout...).
    public var status: Int? {
        guard let headers, let line = headers.split(separator: "\r\n", maxSplits: 1).first else { return nil }
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }
}

/// What the server sends.
package enum NATSEvent: Sendable {
    case info(String)
    case message(sid: Int, NATSMessage)
    case ping
    case pong
    case ok
    case error(String)
}

/// Splits the server's byte stream into protocol events.
///
/// Sizes come from the server and are bounded before use: a control line at most 4 KiB
/// (NATS's own `max_control_line`), a message at most 64 MiB with its headers within it;
/// beyond is a ``ProtocolError``, which closes the connection.
package struct NATSDecoder: ByteToMessageDecoder {
    package typealias InboundOut = NATSEvent

    static let maxControlLine = 4096
    static let maxPayload = 64 << 20

    package struct ProtocolError: Error, CustomStringConvertible {
        package let description: String
    }

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        // Blank lines are dropped for good here, so a stream of them is not scanned again
        // on every read.
        while let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            first == UInt8(ascii: "\n") || (first == UInt8(ascii: "\r") && buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) == UInt8(ascii: "\n"))
        {
            buffer.moveReaderIndex(forwardBy: first == UInt8(ascii: "\n") ? 1 : 2)
        }
        var copy = buffer
        guard let event = try Self.parse(&copy) else { return .needMoreData }
        buffer = copy
        context.fireChannelRead(wrapInboundOut(event))
        return .continue
    }

    package static func parse(_ buffer: inout ByteBuffer) throws -> NATSEvent? {
        // Blank lines carry nothing: skipped in a loop (a stream of them must not recurse).
        var line = ""
        while line.isEmpty {
            let view = buffer.readableBytesView
            guard let newline = view.prefix(maxControlLine + 1).firstIndex(of: UInt8(ascii: "\n")) else {
                if view.count > maxControlLine { throw ProtocolError(description: "a control line longer than \(maxControlLine) bytes") }
                return nil
            }
            guard let text = buffer.readString(length: newline - view.startIndex) else { return nil }
            buffer.moveReaderIndex(forwardBy: 1)
            line = text.hasSuffix("\r") ? String(text.dropLast()) : text
            if line.allSatisfy({ $0 == " " }) { line = "" }
        }
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let op = parts.first?.uppercased() else { throw ProtocolError(description: "an empty control line") }
        switch op {
        case "PING": return .ping
        case "PONG": return .pong
        case "+OK": return .ok
        case "-ERR": return .error(String(line.dropFirst(5)))
        case "INFO": return .info(String(line.dropFirst(5)))
        case "MSG":
            // MSG <subject> <sid> [reply-to] <#bytes>
            guard parts.count == 4 || parts.count == 5, let sid = Int(parts[2]), let size = size(parts.last!) else {
                throw ProtocolError(description: "bad MSG line: \(line.prefix(200))")
            }
            guard buffer.readableBytes >= size + 2, let payload = buffer.readBytes(length: size) else { return nil }
            try skipCRLF(&buffer)
            let reply = parts.count == 5 ? String(parts[3]) : nil
            return .message(sid: sid, NATSMessage(subject: String(parts[1]), replyTo: reply, headers: nil, payload: payload))
        case "HMSG":
            // HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>
            guard parts.count == 5 || parts.count == 6, let sid = Int(parts[2]),
                let headerSize = size(parts[parts.count - 2]), let total = size(parts.last!), total >= headerSize
            else {
                throw ProtocolError(description: "bad HMSG line: \(line.prefix(200))")
            }
            guard buffer.readableBytes >= total + 2, let headers = buffer.readString(length: headerSize),
                let payload = buffer.readBytes(length: total - headerSize)
            else { return nil }
            try skipCRLF(&buffer)
            let reply = parts.count == 6 ? String(parts[3]) : nil
            return .message(sid: sid, NATSMessage(subject: String(parts[1]), replyTo: reply, headers: headers, payload: payload))
        default:
            throw ProtocolError(description: "unknown NATS operation: \(line.prefix(40))")
        }
    }

    /// A byte count from the server, within ``maxPayload``.
    private static func size(_ text: Substring) -> Int? {
        guard let value = Int(text), (0...maxPayload).contains(value) else { return nil }
        return value
    }

    private static func skipCRLF(_ buffer: inout ByteBuffer) throws {
        guard buffer.readBytes(length: 2) == [UInt8(ascii: "\r"), UInt8(ascii: "\n")] else {
            throw ProtocolError(description: "a message payload not followed by CRLF")
        }
    }
}
