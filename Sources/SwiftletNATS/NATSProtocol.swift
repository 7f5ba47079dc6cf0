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
enum NATSEvent: Sendable {
    case info(String)
    case message(sid: Int, NATSMessage)
    case ping
    case pong
    case ok
    case error(String)
}

/// Splits the server's byte stream into protocol events.
struct NATSDecoder: ByteToMessageDecoder {
    typealias InboundOut = NATSEvent

    struct ProtocolError: Error, CustomStringConvertible {
        let description: String
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var copy = buffer
        guard let event = try Self.parse(&copy) else { return .needMoreData }
        buffer = copy
        context.fireChannelRead(wrapInboundOut(event))
        return .continue
    }

    static func parse(_ buffer: inout ByteBuffer) throws -> NATSEvent? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let lineLength = newline - view.startIndex
        guard var line = buffer.readString(length: lineLength) else { return nil }
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let op = parts.first?.uppercased() else { return try parse(&buffer) }
        switch op {
        case "PING": return .ping
        case "PONG": return .pong
        case "+OK": return .ok
        case "-ERR": return .error(String(line.dropFirst(5)))
        case "INFO": return .info(String(line.dropFirst(5)))
        case "MSG":
            // MSG <subject> <sid> [reply-to] <#bytes>
            guard parts.count == 4 || parts.count == 5, let sid = Int(parts[2]), let size = Int(parts.last!) else {
                throw ProtocolError(description: "bad MSG line: \(line)")
            }
            guard buffer.readableBytes >= size + 2, let payload = buffer.readBytes(length: size) else { return nil }
            buffer.moveReaderIndex(forwardBy: 2)
            let reply = parts.count == 5 ? String(parts[3]) : nil
            return .message(sid: sid, NATSMessage(subject: String(parts[1]), replyTo: reply, headers: nil, payload: payload))
        case "HMSG":
            // HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>
            guard parts.count == 5 || parts.count == 6, let sid = Int(parts[2]),
                let headerSize = Int(parts[parts.count - 2]), let total = Int(parts.last!), total >= headerSize
            else {
                throw ProtocolError(description: "bad HMSG line: \(line)")
            }
            guard buffer.readableBytes >= total + 2, let headers = buffer.readString(length: headerSize),
                let payload = buffer.readBytes(length: total - headerSize)
            else { return nil }
            buffer.moveReaderIndex(forwardBy: 2)
            let reply = parts.count == 6 ? String(parts[3]) : nil
            return .message(sid: sid, NATSMessage(subject: String(parts[1]), replyTo: reply, headers: headers, payload: payload))
        default:
            throw ProtocolError(description: "unknown NATS operation: \(line.prefix(40))")
        }
    }
}
