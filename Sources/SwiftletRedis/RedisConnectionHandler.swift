import DequeModule
import NIOCore

/// Pipelines commands on one connection: replies arrive in command order, so each reply
/// completes the oldest outstanding promise.
final class RedisConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = (ByteBuffer, EventLoopPromise<RESPValue>)
    typealias OutboundOut = ByteBuffer

    private var pending = Deque<EventLoopPromise<RESPValue>>()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let (bytes, reply) = unwrapOutboundIn(data)
        pending.append(reply)
        context.write(wrapOutboundOut(bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        pending.popFirst()?.succeed(value)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        while let promise = pending.popFirst() { promise.fail(error) }
    }
}

/// Why a Redis command failed.
public enum RedisError: Error, CustomStringConvertible, Sendable {
    case connectionClosed
    case timeout
    case server(String)
    case connect(String)

    public var description: String {
        switch self {
        case .connectionClosed: "connection closed"
        case .timeout: "timed out"
        case .server(let message): message
        case .connect(let message): "cannot connect: \(message)"
        }
    }
}
