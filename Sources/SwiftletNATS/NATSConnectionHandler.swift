import DequeModule
import NIOCore

/// Answers server PINGs, completes our PINGs in order, and hands messages to the client.
final class NATSConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = NATSEvent
    typealias OutboundOut = ByteBuffer

    let onMessage: @Sendable (Int, NATSMessage) -> Void
    let onError: @Sendable (String) -> Void
    var pongs = Deque<EventLoopPromise<Void>>()
    var info: EventLoopPromise<String>?

    init(info: EventLoopPromise<String>, onMessage: @escaping @Sendable (Int, NATSMessage) -> Void,
         onError: @escaping @Sendable (String) -> Void) {
        self.info = info
        self.onMessage = onMessage
        self.onError = onError
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .info(let json):
            info?.succeed(json)
            info = nil
        case .ping:
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "PONG\r\n")), promise: nil)
        case .pong:
            pongs.popFirst()?.succeed(())
        case .ok:
            break
        case .error(let message):
            onError(message)
        case .message(let sid, let message):
            onMessage(sid, message)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        info?.fail(NATSError.connectionClosed)
        info = nil
        while let pong = pongs.popFirst() { pong.fail(NATSError.connectionClosed) }
        context.fireChannelInactive()
    }
}

public enum NATSError: Error, CustomStringConvertible, Sendable {
    case connectionClosed
    case timeout
    case noResponders(String)
    case server(String)
    case connect(String)

    public var description: String {
        switch self {
        case .connectionClosed: "connection closed"
        case .timeout: "timed out"
        case .noResponders(let subject): "no responders for \(subject) (is JetStream enabled?)"
        case .server(let message): message
        case .connect(let message): "cannot connect: \(message)"
        }
    }
}
