import NIOCore
import NIOPosix
import SwiftletCore

/// A small Redis client: one pipelined connection, opened on first use and reopened after
/// a failure, so a Redis restart costs the calls made while it was down and nothing more.
public final class RedisClient: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var password: String?
        public var database: Int
        public var commandTimeout: TimeAmount

        public init(host: String, port: Int = 6379, password: String? = nil, database: Int = 0, commandTimeout: TimeAmount = .seconds(5)) {
            self.host = host
            self.port = port
            self.password = password
            self.database = database
            self.commandTimeout = commandTimeout
        }
    }

    private enum State {
        case idle
        case connecting(EventLoopFuture<any Channel>)
        case connected(any Channel)
    }

    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let state = Locked(State.idle)

    public init(configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Sends a command and returns its reply; a Redis error reply is thrown as
    /// ``RedisError/server(_:)``.
    @discardableResult
    public func send(_ arguments: [String]) async throws -> RESPValue {
        try await send(arguments.map { Array($0.utf8) })
    }

    @discardableResult
    public func send(_ arguments: [[UInt8]], timeout: TimeAmount? = nil) async throws -> RESPValue {
        let channel = try await connection().get()
        var buffer = channel.allocator.buffer(capacity: 64 + arguments.reduce(0) { $0 + $1.count + 16 })
        RESPEncoder.encode(arguments, into: &buffer)
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        let limit = timeout ?? configuration.commandTimeout
        // A reply that does not come leaves the pipeline out of step: drop the connection.
        let timer = channel.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
        channel.writeAndFlush((buffer, promise), promise: nil)
        let reply: RESPValue
        do {
            reply = try await promise.futureResult.get()
            timer.cancel()
        } catch {
            timer.cancel()
            throw error
        }
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    /// Closes the connection; the next command reconnects.
    public func close() async {
        let channel = state.withLock { state -> (any Channel)? in
            defer { state = .idle }
            if case .connected(let channel) = state { return channel }
            return nil
        }
        try? await channel?.close()
    }

    private func connection() -> EventLoopFuture<any Channel> {
        state.withLock { state in
            switch state {
            case .connected(let channel) where channel.isActive:
                return channel.eventLoop.makeSucceededFuture(channel)
            case .connecting(let future):
                return future
            default:
                let future = connect()
                state = .connecting(future)
                future.whenComplete { [self] result in
                    self.state.withLock { state in
                        if case .connecting = state {
                            state = (try? result.get()).map { .connected($0) } ?? .idle
                        }
                    }
                }
                return future
            }
        }
    }

    private func connect() -> EventLoopFuture<any Channel> {
        let configuration = configuration
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(3))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(RESPDecoder()), RedisConnectionHandler())
                }
            }
        return bootstrap.connect(host: configuration.host, port: configuration.port).flatMap { channel in
            var setup: [[String]] = []
            if let password = configuration.password, !password.isEmpty { setup.append(["AUTH", password]) }
            if configuration.database != 0 { setup.append(["SELECT", String(configuration.database)]) }
            var future = channel.eventLoop.makeSucceededFuture(())
            for command in setup {
                future = future.flatMap {
                    var buffer = channel.allocator.buffer(capacity: 64)
                    RESPEncoder.encode(command.map { Array($0.utf8) }, into: &buffer)
                    let promise = channel.eventLoop.makePromise(of: RESPValue.self)
                    channel.writeAndFlush((buffer, promise), promise: nil)
                    return promise.futureResult.flatMapThrowing { reply in
                        if case .error(let message) = reply { throw RedisError.server(message) }
                    }
                }
            }
            return future.map { channel }.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
        }.flatMapErrorThrowing { error in
            throw (error as? RedisError) ?? RedisError.connect("\(configuration.host):\(configuration.port): \(error)")
        }
    }
}
