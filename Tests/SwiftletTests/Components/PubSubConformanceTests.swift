import Foundation
import SwiftletBlocks
import SwiftletResources
import Testing

/// One suite, every broker: at-least-once delivery with the same semantics everywhere.
@Suite("Pub/sub conformance")
struct PubSubConformanceTests {
    static let backends = ["pubsub.sqlite", "pubsub.redis", "pubsub.jetstream"]

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    func text(_ delivery: PubSubDelivery) -> String { String(decoding: delivery.data, as: UTF8.self) }

    /// Fetches until `count` deliveries arrived or `seconds` passed.
    func collect(_ consumer: any PubSubConsumer, count: Int, seconds: Double = 10, ack: Bool = true) async throws -> [PubSubDelivery] {
        var result: [PubSubDelivery] = []
        let deadline = Date().addingTimeInterval(seconds)
        while result.count < count, Date() < deadline {
            for delivery in try await consumer.fetch(max: count - result.count, waitSeconds: 0.5) {
                result.append(delivery)
                if ack { try await consumer.ack(delivery) }
            }
        }
        return result
    }

    @Test(arguments: backends)
    func deliversInOrderAndAckedMessagesStayAcked(backend: String) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await Services.pubsub(backend, directory: directory.path)
        let topic = "orders-\(UUID().uuidString.prefix(8))"
        let consumer = try await broker.consumer(topic: topic, group: "app", options: ConsumerOptions(leaseSeconds: 2))
        for index in 1...5 { try await broker.publish(topic: topic, data: bytes("m\(index)")) }
        let received = try await collect(consumer, count: 5)
        #expect(received.map(text) == ["m1", "m2", "m3", "m4", "m5"])
        #expect(received.allSatisfy { $0.attempt == 1 })
        try await Task.sleep(for: .milliseconds(2500))
        #expect(try await consumer.fetch(max: 10, waitSeconds: 0.3).isEmpty, "acknowledged messages do not come back")
        await consumer.close()
        await broker.close()
    }

    @Test(arguments: backends)
    func refusedAndUnacknowledgedMessagesComeBack(backend: String) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await Services.pubsub(backend, directory: directory.path)
        let topic = "retry-\(UUID().uuidString.prefix(8))"
        let consumer = try await broker.consumer(topic: topic, group: "app", options: ConsumerOptions(leaseSeconds: 2))
        try await broker.publish(topic: topic, data: bytes("refused"))
        try await broker.publish(topic: topic, data: bytes("forgotten"))
        let first = try await collect(consumer, count: 2, ack: false)
        #expect(first.map(text).sorted() == ["forgotten", "refused"])
        let refused = try #require(first.first { text($0) == "refused" })
        try await consumer.nak(refused, delaySeconds: 0.2)
        // The refusal returns after its delay; the forgotten one after the ack timeout.
        let again = try await collect(consumer, count: 2, seconds: 8)
        #expect(again.map(text).sorted() == ["forgotten", "refused"])
        #expect(again.allSatisfy { $0.attempt == 2 }, "\(again.map(\.attempt))")
        await consumer.close()
        await broker.close()
    }

    @Test(arguments: backends)
    func groupsEachSeeEverythingMembersCompete(backend: String) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await Services.pubsub(backend, directory: directory.path)
        let topic = "fanout-\(UUID().uuidString.prefix(8))"
        let options = ConsumerOptions(leaseSeconds: 10)
        let memberA = try await broker.consumer(topic: topic, group: "billing", options: options)
        let memberB = try await broker.consumer(topic: topic, group: "billing", options: options)
        let audit = try await broker.consumer(topic: topic, group: "audit", options: options)
        for index in 0..<20 { try await broker.publish(topic: topic, data: bytes("e\(index)")) }

        var billed: [String] = []
        let deadline = Date().addingTimeInterval(30)
        while billed.count < 20, Date() < deadline {
            for member in [memberA, memberB] {
                for delivery in try await member.fetch(max: 3, waitSeconds: 0.2) {
                    billed.append(text(delivery))
                    try await member.ack(delivery)
                }
            }
        }
        #expect(billed.count == 20)
        #expect(Set(billed).count == 20, "each message went to one member of the group")
        let audited = try await collect(audit, count: 20)
        #expect(Set(audited.map(text)) == Set((0..<20).map { "e\($0)" }))
        for consumer in [memberA, memberB, audit] { await consumer.close() }
        await broker.close()
    }

    @Test(arguments: backends)
    func aRenewedLeaseKeepsAMessageAndALapsedOneFreesIt(backend: String) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await Services.pubsub(backend, directory: directory.path)
        let topic = "lease-\(UUID().uuidString.prefix(8))"
        // Four seconds, renewed every half second: the renewals have slack for a test process
        // whose other suites keep both cores and the task pool busy.
        let options = ConsumerOptions(leaseSeconds: 4)
        let holder = try await broker.consumer(topic: topic, group: "app", options: options)
        let other = try await broker.consumer(topic: topic, group: "app", options: options)
        #expect(holder.leaseSeconds == 4)
        try await broker.publish(topic: topic, data: bytes("long job"))
        let held = try #require(try await collect(holder, count: 1, ack: false).first)
        // Two lease lengths of work, renewed on its own task (as a subscription's heartbeat
        // is), so a slow fetch by the other member cannot delay it.
        let renewing = Task {
            while !Task.isCancelled {
                try await holder.extend([held])
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        let working = Date()
        while Date().timeIntervalSince(working) < 8 {
            #expect(try await other.fetch(max: 1, waitSeconds: 0.33).isEmpty, "a renewed lease keeps the message")
        }
        renewing.cancel()
        if case .failure(let error) = await renewing.result, !(error is CancellationError) {
            Issue.record(error, "renewing the lease failed")
        }
        // The holder falls silent (as a killed process does): the lease lapses.
        let silent = Date()
        let taken = try await collect(other, count: 1, seconds: 12)
        #expect(taken.map(text) == ["long job"])
        #expect(Date().timeIntervalSince(silent) < 7, "a lapsed lease frees the message within about its length")
        await holder.close()
        await other.close()
        await broker.close()
    }

    @Test(arguments: backends)
    func aRestartBetweenPublishAndDeliveryLosesNothing(backend: String) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let topic = "durable-\(UUID().uuidString.prefix(8))"
        let first = try await Services.pubsub(backend, directory: directory.path)
        let group = "app"
        let registered = try await first.consumer(topic: topic, group: group, options: ConsumerOptions(leaseSeconds: 1))
        try await first.publish(topic: topic, data: bytes("survives"))
        // Delivered once but never acknowledged, then the broker client goes away.
        let unacked = try await collect(registered, count: 1, ack: false)
        #expect(unacked.count == 1)
        await registered.close()
        await first.close()

        let second = try await Services.pubsub(backend, directory: directory.path)
        let consumer = try await second.consumer(topic: topic, group: group, options: ConsumerOptions(leaseSeconds: 1))
        let received = try await collect(consumer, count: 1, seconds: 10)
        #expect(received.map(text) == ["survives"])
        await consumer.close()
        await second.close()
    }
}
