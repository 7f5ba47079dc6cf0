import NIOCore
import SwiftletBlocks
import SwiftletResources

/// `pubsub.redis` on Redis Streams: a topic is a stream, a subscription a consumer group.
/// Unacknowledged entries stay pending and are reclaimed (XAUTOCLAIM) once idle longer than
/// the ack timeout, which is also how a refusal is delayed: XCLAIM resets the idle time.
final class RedisStreamsPubSub: PubSubBackend {
    let client: RedisClient
    let name: String
    let consumerID: String
    let maxLength: Int?
    /// Dapr's `processingTimeout`: how long a delivery may stay unacknowledged before another
    /// group member reclaims it. Overrides the subscription's ack timeout when set.
    let processingTimeoutSeconds: Double?

    init(client: RedisClient, name: String, consumerID: String, maxLength: Int?, processingTimeoutSeconds: Double? = nil) {
        self.client = client
        self.name = name
        self.consumerID = consumerID
        self.maxLength = maxLength
        self.processingTimeoutSeconds = processingTimeoutSeconds
    }

    func publish(topic: String, data: [UInt8]) async throws(BuildingBlockError) {
        var command: [[UInt8]] = [Array("XADD".utf8), Array(topic.utf8)]
        if let maxLength { command += [Array("MAXLEN".utf8), Array("~".utf8), Array(String(maxLength).utf8)] }
        command += [Array("*".utf8), Array("data".utf8), data]
        do {
            try await client.send(command)
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): redis: \(error)")
        }
    }

    func consumer(topic: String, group: String, options: ConsumerOptions) async throws(BuildingBlockError)
        -> any PubSubConsumer
    {
        do {
            // From the start of the stream: nothing published before the group existed is lost.
            try await client.send(["XGROUP", "CREATE", topic, group, "0", "MKSTREAM"])
        } catch RedisError.server(let message) where message.hasPrefix("BUSYGROUP") {
            // Exists already: replicas and restarts join the same group.
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): redis: \(error)")
        }
        // Blocking reads get a connection of their own so they do not stall other commands.
        let reader = RedisClient(configuration: client.configuration)
        var options = options
        if let processingTimeoutSeconds { options.leaseSeconds = processingTimeoutSeconds }
        return RedisStreamsConsumer(
            client: client, reader: reader, name: name, topic: topic, group: group, consumer: consumerID,
            options: options)
    }

    func close() async {
        await client.close()
    }
}

struct RedisStreamsConsumer: PubSubConsumer {
    let client: RedisClient
    let reader: RedisClient
    let name: String
    let topic: String
    let group: String
    let consumer: String
    let options: ConsumerOptions

    var idleMilliseconds: Int { Int(options.leaseSeconds * 1000) }

    func fetch(max: Int, waitSeconds: Double) async throws(BuildingBlockError) -> [PubSubDelivery] {
        do {
            // Redeliveries first: entries pending longer than the ack timeout, from any member.
            let claimed = try await client.send([
                "XAUTOCLAIM", topic, group, consumer, String(idleMilliseconds), "0-0", "COUNT", String(max),
            ])
            let reclaimed = try await deliveries(claimed.elements?.dropFirst().first, redelivered: true)
            if !reclaimed.isEmpty { return reclaimed }
            let blockMilliseconds = Swift.max(1, Int(waitSeconds * 1000))
            let reply = try await reader.send(
                ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(max), "BLOCK", String(blockMilliseconds), "STREAMS", topic, ">"]
                    .map { Array($0.utf8) },
                timeout: .milliseconds(Int64(blockMilliseconds) + 5000))
            guard !reply.isNull, let streams = reply.elements, let stream = streams.first?.elements, stream.count == 2 else {
                return []
            }
            return try await deliveries(stream[1], redelivered: false)
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): redis: \(error)")
        }
    }

    /// Entries `[[id, [field, value...]]...]` as deliveries; redeliveries look up their
    /// delivery count in the pending list.
    private func deliveries(_ entries: RESPValue?, redelivered: Bool) async throws -> [PubSubDelivery] {
        var result: [PubSubDelivery] = []
        for entry in entries?.elements ?? [] {
            guard let parts = entry.elements, parts.count == 2, let id = parts[0].string else { continue }
            let fields = parts[1].elements ?? []
            var data: [UInt8]?
            var index = 0
            while index + 1 < fields.count {
                if fields[index].string == "data" { data = fields[index + 1].bytes }
                index += 2
            }
            guard let data else {
                // Not ours (no data field): acknowledge so it does not come back forever.
                try await client.send(["XACK", topic, group, id])
                continue
            }
            var attempt = 1
            if redelivered {
                let pending = try await client.send(["XPENDING", topic, group, id, id, "1"])
                attempt = pending.elements?.first?.elements?.dropFirst(3).first?.int ?? 2
            }
            result.append(PubSubDelivery(id: id, topic: topic, data: data, attempt: attempt))
        }
        return result
    }

    func ack(_ delivery: PubSubDelivery) async throws(BuildingBlockError) {
        do {
            try await client.send(["XACK", topic, group, delivery.id])
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): redis: \(error)")
        }
    }

    var leaseSeconds: Double { options.leaseSeconds }

    func extend(_ deliveries: [PubSubDelivery]) async throws(BuildingBlockError) {
        guard !deliveries.isEmpty else { return }
        // Claiming an entry for oneself resets its idle time, which is what XAUTOCLAIM
        // measures; JUSTID leaves the delivery count alone.
        do {
            try await client.send(["XCLAIM", topic, group, consumer, "0"] + deliveries.map(\.id) + ["JUSTID"])
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): redis: \(error)")
        }
    }

    func nak(_ delivery: PubSubDelivery, delaySeconds: Double) async throws(BuildingBlockError) {
        // Make the entry look idle for (timeout - delay), so it is reclaimed after `delay`.
        let idle = Swift.max(0, idleMilliseconds - Int(delaySeconds * 1000))
        do {
            try await client.send(["XCLAIM", topic, group, consumer, "0", delivery.id, "IDLE", String(idle), "JUSTID"])
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): redis: \(error)")
        }
    }

    func close() async {
        await reader.close()
    }
}
