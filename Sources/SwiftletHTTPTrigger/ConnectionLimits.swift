import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// How long a client may hold a connection without doing its part. Each is a way a client
/// ties up a connection (and its memory) without sending or reading anything useful.
public struct ConnectionLimits: Sendable, Equatable {
    /// A connection with no request in progress (between keep-alive requests, or a request
    /// head still arriving byte by byte) is closed after this.
    public var idleTimeout: Duration
    /// A request's head and body must have arrived this long after it began.
    public var readTimeout: Duration
    /// A response the client stops reading is abandoned after it could not be written for
    /// this long.
    public var writeTimeout: Duration

    public init(idleTimeout: Duration = .seconds(60), readTimeout: Duration = .seconds(60), writeTimeout: Duration = .seconds(60)) {
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
    }

    /// Hummingbird's HTTP/1 server with these limits.
    public var server: HTTPServerBuilder {
        let limits = self
        return .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [ConnectionGuard(limits: limits)], idleTimeout: TimeAmount(idleTimeout)))
    }
}

/// Closes a connection whose request does not arrive within the read timeout, or whose
/// response cannot be written for the write timeout. (Idle connections are Hummingbird's
/// idle timeout's business.)
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private var readTimer: Scheduled<Void>?
    private var writeTimer: Scheduled<Void>?

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readTimer?.cancel()
            let loop = context.eventLoop.assumeIsolated()
            readTimer = loop.scheduleTask(in: TimeAmount(limits.readTimeout)) { [context] in
                context.close(promise: nil)
            }
        case .body:
            break
        case .end:
            readTimer?.cancel()
            readTimer = nil
        }
        context.fireChannelRead(data)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writeTimer?.cancel()
            writeTimer = nil
        } else if writeTimer == nil {
            let loop = context.eventLoop.assumeIsolated()
            writeTimer = loop.scheduleTask(in: TimeAmount(limits.writeTimeout)) { [context] in
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
    }

    private func cancelTimers() {
        readTimer?.cancel()
        writeTimer?.cancel()
        readTimer = nil
        writeTimer = nil
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
