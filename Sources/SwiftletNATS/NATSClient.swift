import Foundation
import NIOCore
import NIOPosix
import SwiftletCore

/// A small NATS client: one connection, opened on first use and reopened after a failure
/// with every subscription restored, request/reply over a shared inbox.
public final class NATSClient: Sendable {
    public typealias Handler = @Sendable (NATSMessage) -> Void

    private struct State {
        var channel: (any Channel)?
        var connecting: EventLoopFuture<any Channel>?
        var subscriptions: [Int: (subject: String, handler: Handler)] = [:]
        var nextSID = 1
        var requests: [String: CheckedContinuation<NATSMessage, any Error>] = [:]
        var inboxSID: Int?
    }

    public let host: String
    public let port: Int
    let inboxPrefix: String
    private let group: any EventLoopGroup
    private let state = Locked(State())

    public init(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        self.group = group
        inboxPrefix = "_INBOX." + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16)
    }

    /// A fresh subject for replies.
    public func newInbox() -> String { "\(inboxPrefix).\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))" }

    public func publish(_ subject: String, replyTo: String? = nil, payload: [UInt8]) async throws {
        let channel = try await connection()
        var buffer = channel.allocator.buffer(capacity: subject.utf8.count + payload.count + 32)
        buffer.writeString("PUB \(subject) \(replyTo.map { "\($0) " } ?? "")\(payload.count)\r\n")
        buffer.writeBytes(payload)
        buffer.writeString("\r\n")
        try await channel.writeAndFlush(buffer)
    }

    /// Subscribes `handler` to `subject`; the subscription survives reconnects.
    @discardableResult
    public func subscribe(_ subject: String, handler: @escaping Handler) async throws -> Int {
        let sid = state.withLock { state -> Int in
            let sid = state.nextSID
            state.nextSID += 1
            state.subscriptions[sid] = (subject, handler)
            return sid
        }
        let channel = try await connection()
        try await channel.writeAndFlush(ByteBuffer(string: "SUB \(subject) \(sid)\r\n"))
        return sid
    }

    public func unsubscribe(_ sid: Int) async {
        state.withLock { _ = $0.subscriptions.removeValue(forKey: sid) }
        if let channel = state.withLock({ $0.channel }) {
            try? await channel.writeAndFlush(ByteBuffer(string: "UNSUB \(sid)\r\n"))
        }
    }

    /// Publishes and waits for one reply.
    public func request(_ subject: String, payload: [UInt8], timeout: Duration = .seconds(5)) async throws -> NATSMessage {
        try await ensureInbox()
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let reply = "\(inboxPrefix).r.\(token)"
        let timer = Task {
            try? await Task.sleep(for: timeout)
            let waiter = state.withLock { $0.requests.removeValue(forKey: token) }
            waiter?.resume(throwing: NATSError.timeout)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.requests[token] = continuation }
            Task {
                do {
                    try await publish(subject, replyTo: reply, payload: payload)
                } catch {
                    let waiter = state.withLock { $0.requests.removeValue(forKey: token) }
                    waiter?.resume(throwing: error)
                }
            }
        }.checkedForNoResponders(subject)
    }

    /// Round trip to the server: everything written before has been processed.
    public func flush() async throws {
        let channel = try await connection()
        let promise = channel.eventLoop.makePromise(of: Void.self)
        try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: NATSConnectionHandler.self)
            handler.pongs.append(promise)
            channel.writeAndFlush(ByteBuffer(string: "PING\r\n"), promise: nil)
        }.get()
        try await promise.futureResult.get()
    }

    public func close() async {
        let channel = state.withLock { state -> (any Channel)? in
            defer { state.channel = nil }
            return state.channel
        }
        try? await channel?.close()
    }

    private func ensureInbox() async throws {
        let needed = state.withLock { $0.inboxSID == nil }
        guard needed else { return }
        let sid = try await subscribe("\(inboxPrefix).r.*") { [self] message in
            let token = String(message.subject.split(separator: ".").last ?? "")
            let waiter = state.withLock { $0.requests.removeValue(forKey: token) }
            waiter?.resume(returning: message)
        }
        state.withLock { $0.inboxSID = sid }
    }

    private func connection() async throws -> any Channel {
        let future = state.withLock { state -> EventLoopFuture<any Channel> in
            if let channel = state.channel, channel.isActive { return channel.eventLoop.makeSucceededFuture(channel) }
            if let connecting = state.connecting { return connecting }
            let future = connect()
            state.connecting = future
            return future
        }
        do {
            let channel = try await future.get()
            state.withLock { state in
                state.channel = channel
                state.connecting = nil
            }
            return channel
        } catch {
            state.withLock { $0.connecting = nil }
            throw (error as? NATSError) ?? NATSError.connect("\(host):\(port): \(error)")
        }
    }

    private func connect() -> EventLoopFuture<any Channel> {
        let loop = group.next()
        let info = loop.makePromise(of: String.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(3))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(NATSDecoder()),
                        NATSConnectionHandler(
                            info: info,
                            onMessage: { [self] sid, message in deliver(sid, message) },
                            onError: { _ in }))
                }
            }
        let connected = bootstrap.connect(host: host, port: port)
        // No channel, no INFO: the promise must not be left pending.
        connected.whenFailure { info.fail($0) }
        return connected.flatMap { [self] channel in
            info.futureResult.flatMap { _ in
                // Restore subscriptions (a reconnect keeps sids, so handlers stay valid).
                var text = #"CONNECT {"verbose":false,"pedantic":false,"lang":"swift","version":"0.1","protocol":1,"headers":true,"no_responders":true}"# + "\r\n"
                for (sid, subscription) in self.state.withLock({ $0.subscriptions }) {
                    text += "SUB \(subscription.subject) \(sid)\r\n"
                }
                return channel.writeAndFlush(ByteBuffer(string: text)).map { channel }
            }
        }
    }

    private func deliver(_ sid: Int, _ message: NATSMessage) {
        let handler = state.withLock { $0.subscriptions[sid]?.handler }
        handler?(message)
    }
}

extension NATSMessage {
    /// A 503 status reply means nothing listens on the subject.
    func checkedForNoResponders(_ subject: String) throws -> NATSMessage {
        if status == 503 { throw NATSError.noResponders(subject) }
        return self
    }
}
