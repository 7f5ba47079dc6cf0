import Foundation
import SwiftletBlocks
import SwiftletResources

/// `pubsub.jetstream`: one stream holding the topics' subjects, a durable pull consumer
/// per subscription (competing across replicas), explicit ack, NAK with a delay.
final class JetStreamPubSub: PubSubBackend {
    let client: NATSClient
    let name: String
    let streamName: String?
    /// Dapr's `ackWait`; without it, the subscription's lease.
    let ackWaitSeconds: Double?
    let maxDeliver: Int
    let deliverPolicy: String
    let knownStreams = KnownStreams()

    init(client: NATSClient, name: String, streamName: String?, ackWaitSeconds: Double?, maxDeliver: Int, deliverPolicy: String) {
        self.client = client
        self.name = name
        self.streamName = streamName
        self.ackWaitSeconds = ackWaitSeconds
        self.maxDeliver = maxDeliver
        self.deliverPolicy = deliverPolicy
    }

    /// The stream a topic lives in: the configured one, or one per topic.
    func stream(for topic: String) -> String {
        streamName ?? topic.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? String($0) : "_" }.joined()
    }

    func publish(topic: String, data: [UInt8]) async throws(BuildingBlockError) {
        try await call {
            try await self.ensureStream(for: topic)
            let reply = try await self.client.request(topic, payload: data)
            try JetStreamAPI.check(reply, "publish to \(topic)")
        }
    }

    func consumer(topic: String, group: String, options: ConsumerOptions) async throws(BuildingBlockError)
        -> any PubSubConsumer
    {
        let stream = stream(for: topic)
        let ackWait = ackWaitSeconds ?? options.leaseSeconds
        let durable = (group + "-" + topic).map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? String($0) : "_" }.joined()
        try await call {
            try await self.ensureStream(for: topic)
            let config: [String: Any] = [
                "durable_name": durable, "ack_policy": "explicit", "deliver_policy": self.deliverPolicy,
                "ack_wait": Int64(ackWait * 1e9), "max_deliver": self.maxDeliver, "filter_subject": topic,
                "max_ack_pending": 10_000,
            ]
            let body = try JSONSerialization.data(withJSONObject: ["stream_name": stream, "config": config])
            let reply = try await self.client.request("$JS.API.CONSUMER.DURABLE.CREATE.\(stream).\(durable)", payload: [UInt8](body))
            try JetStreamAPI.check(reply, "create consumer \(durable)", allowing: [10148])  // exists with this config
        }
        let inbox = client.newInbox()
        let buffer = DeliveryBuffer()
        do {
            let sid = try await client.subscribe(inbox) { message in buffer.push(message) }
            return JetStreamConsumer(
                client: client, name: name, topic: topic, stream: stream, durable: durable, inbox: inbox, sid: sid, buffer: buffer,
                leaseSeconds: ackWait)
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): nats: \(error)")
        }
    }

    func close() async {
        await client.close()
    }

    private func ensureStream(for topic: String) async throws {
        let stream = stream(for: topic)
        guard await !knownStreams.contains(stream, topic) else { return }
        let info = try await client.request("$JS.API.STREAM.INFO.\(stream)", payload: [])
        var subjects: [String] = []
        var exists = false
        if let object = try? JSONSerialization.jsonObject(with: Data(info.payload)) as? [String: Any] {
            if let config = object["config"] as? [String: Any] {
                exists = true
                subjects = config["subjects"] as? [String] ?? []
            }
        }
        if !exists || !subjects.contains(topic) {
            let config: [String: Any] = [
                "name": stream, "subjects": Array(Set(subjects + [topic])).sorted(), "storage": "file", "retention": "limits",
            ]
            let body = try JSONSerialization.data(withJSONObject: config)
            let verb = exists ? "UPDATE" : "CREATE"
            let reply = try await client.request("$JS.API.STREAM.\(verb).\(stream)", payload: [UInt8](body))
            try JetStreamAPI.check(reply, "\(verb.lowercased()) stream \(stream)")
        }
        await knownStreams.insert(stream, topic)
    }

    private func call(_ body: () async throws -> Void) async throws(BuildingBlockError) {
        do {
            try await body()
        } catch let error as BuildingBlockError {
            throw error
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): nats: \(error)")
        }
    }
}

/// Streams already set up for a topic in this process.
actor KnownStreams {
    var pairs = Set<String>()
    func contains(_ stream: String, _ topic: String) -> Bool { pairs.contains(stream + "\n" + topic) }
    func insert(_ stream: String, _ topic: String) { pairs.insert(stream + "\n" + topic) }
}

enum JetStreamAPI {
    /// Throws when a JetStream API reply carries an error (other than `allowing` codes).
    static func check(_ reply: NATSMessage, _ what: String, allowing: Set<Int> = []) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply.payload)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return }
        if let code = error["err_code"] as? Int, allowing.contains(code) { return }
        throw NATSError.server("\(what): \(error["description"] as? String ?? "\(error)")")
    }
}
