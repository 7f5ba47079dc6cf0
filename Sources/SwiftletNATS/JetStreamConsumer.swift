import Foundation
import SwiftletBlocks
import SwiftletResources
import SwiftletCore

/// Messages that arrived on a consumer's inbox, waiting for `fetch`.
final class DeliveryBuffer: Sendable {
    private struct State {
        var messages: [NATSMessage] = []
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Locked(State())

    func push(_ message: NATSMessage) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.messages.append(message)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Up to `limit` buffered messages; the rest stay for the next fetch (they are leased to
    /// this consumer already).
    func take(_ limit: Int) -> [NATSMessage] {
        state.withLock { state in
            let taken = Array(state.messages.prefix(limit))
            state.messages.removeFirst(taken.count)
            return taken
        }
    }

    /// Waits until a message arrives or `seconds` pass.
    func wait(seconds: Double) async {
        let timer = Task { [self] in
            try? await Task.sleep(for: .seconds(seconds))
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if !state.messages.isEmpty { return true }
                state.waiter?.resume()
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        timer.cancel()
    }
}

/// A durable pull consumer: `fetch` asks for a batch to be sent to the inbox.
struct JetStreamConsumer: PubSubConsumer {
    let client: NATSClient
    let name: String
    let topic: String
    let stream: String
    let durable: String
    let inbox: String
    let sid: Int
    let buffer: DeliveryBuffer
    /// The consumer's ack wait: how long JetStream holds a delivery for it.
    let leaseSeconds: Double

    func fetch(max: Int, waitSeconds: Double) async throws(BuildingBlockError) -> [PubSubDelivery] {
        let expires = Int64(Swift.max(0.05, waitSeconds) * 1e9)
        let request = #"{"batch":\#(max),"expires":\#(expires)}"#
        do {
            try await client.publish(
                "$JS.API.CONSUMER.MSG.NEXT.\(stream).\(durable)", replyTo: inbox, payload: Array(request.utf8))
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): nats: \(error)")
        }
        var deliveries: [PubSubDelivery] = []
        let deadline = Date().addingTimeInterval(waitSeconds + 1)
        var finished = false
        func drain() {
            for message in buffer.take(max - deliveries.count) {
                if let status = message.status, message.payload.isEmpty {
                    // 404 no messages, 408 request expired, 409 consumer changes: this pull is done.
                    if status >= 400 { finished = true }
                    continue
                }
                guard let reply = message.replyTo else { continue }
                deliveries.append(PubSubDelivery(id: reply, topic: topic, data: message.payload, attempt: Self.attempt(reply)))
            }
        }
        while deliveries.count < max, !finished, Date() < deadline {
            drain()
            if !deliveries.isEmpty {
                // Take what arrives right behind the first without waiting for a full batch.
                await buffer.wait(seconds: 0.005)
                drain()
                break
            }
            await buffer.wait(seconds: deadline.timeIntervalSinceNow)
        }
        return deliveries
    }

    /// The delivery count from `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`
    /// (newer servers insert domain and account tokens after `$JS.ACK`).
    static func attempt(_ reply: String) -> Int {
        let tokens = reply.split(separator: ".")
        guard tokens.count >= 9 else { return 1 }
        return Int(tokens[tokens.count - 5]) ?? 1
    }

    func ack(_ delivery: PubSubDelivery) async throws(BuildingBlockError) {
        try await respond(delivery, "+ACK")
    }

    func nak(_ delivery: PubSubDelivery, delaySeconds: Double) async throws(BuildingBlockError) {
        try await respond(delivery, #"-NAK {"delay":\#(Int64(delaySeconds * 1e9))}"#)
    }

    /// `+WPI` (work in progress) restarts a delivery's ack wait.
    func extend(_ deliveries: [PubSubDelivery]) async throws(BuildingBlockError) {
        for delivery in deliveries { try await respond(delivery, "+WPI") }
    }

    private func respond(_ delivery: PubSubDelivery, _ body: String) async throws(BuildingBlockError) {
        do {
            try await client.publish(delivery.id, payload: Array(body.utf8))
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): nats: \(error)")
        }
    }

    func close() async {
        await client.unsubscribe(sid)
    }
}
