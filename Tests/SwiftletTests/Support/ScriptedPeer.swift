import NIOCore
import NIOPosix

/// A TCP peer that answers every connection with the bytes a test scripts: a hostile
/// Redis, NATS server or registry, to check Swiftlet refuses what it sends.
final class ScriptedPeer: Sendable {
    let port: Int
    private let channel: any Channel

    /// `greeting` is sent on connect; `reply` after each read (the first request).
    init(greeting: [UInt8] = [], reply: [UInt8]) async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Script(greeting: greeting, reply: reply))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    func close() async {
        try? await channel.close()
    }

    private final class Script: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let greeting: [UInt8]
        let reply: [UInt8]

        init(greeting: [UInt8], reply: [UInt8]) {
            self.greeting = greeting
            self.reply = reply
        }

        func channelActive(context: ChannelHandlerContext) {
            if !greeting.isEmpty { context.writeAndFlush(NIOAny(ByteBuffer(bytes: greeting)), promise: nil) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(NIOAny(ByteBuffer(bytes: reply)), promise: nil)
        }
    }
}
