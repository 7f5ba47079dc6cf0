import CoreMetrics
import SwiftletBlocks
import SwiftletCore

/// Counts one component's operations by outcome: `success`, or the error kind (`conflict`,
/// `unavailable`, ...), so errors per component are the non-success series.
final class OperationMetrics: Sendable {
    private struct Key: Hashable {
        let operation: String
        let outcome: String
    }

    private let label: String
    private let component: String
    private let factory: any MetricsFactory
    private let counters = Locked<[Key: Counter]>([:])

    init(label: String, component: String, factory: any MetricsFactory) {
        self.label = label
        self.component = component
        self.factory = factory
    }

    func measure<T>(_ operation: String, _ body: () async throws(BuildingBlockError) -> T) async throws(BuildingBlockError)
        -> T
    {
        do {
            let result = try await body()
            count(operation, "success")
            return result
        } catch {
            count(operation, error.kind.rawValue)
            throw error
        }
    }

    private func count(_ operation: String, _ outcome: String) {
        let key = Key(operation: operation, outcome: outcome)
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: label, dimensions: [("component", component), ("operation", operation), ("outcome", outcome)],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }
}

/// A state store whose operations are counted (`swiftlet_state_operations_total`). Every
/// caller (guests, the Dapr APIs) goes through it.
struct MeteredStateStore: StateStore {
    let store: any StateStore
    let metrics: OperationMetrics

    func get(_ key: String) async throws(BuildingBlockError) -> StateItem? {
        try await metrics.measure("get") { () async throws(BuildingBlockError) in try await store.get(key) }
    }

    func bulkGet(_ keys: [String]) async throws(BuildingBlockError) -> [String: StateItem] {
        try await metrics.measure("bulk_get") { () async throws(BuildingBlockError) in try await store.bulkGet(keys) }
    }

    func set(_ request: StateSetRequest) async throws(BuildingBlockError) {
        try await metrics.measure("set") { () async throws(BuildingBlockError) in try await store.set(request) }
    }

    func delete(_ request: StateDeleteRequest) async throws(BuildingBlockError) {
        try await metrics.measure("delete") { () async throws(BuildingBlockError) in try await store.delete(request) }
    }

    func transact(_ operations: [StateOperation]) async throws(BuildingBlockError) {
        try await metrics.measure("transaction") { () async throws(BuildingBlockError) in try await store.transact(operations) }
    }

    func close() async { await store.close() }
}

/// A broker whose publishes and deliveries are counted (`swiftlet_pubsub_operations_total`).
struct MeteredPubSub: PubSubBackend {
    let backend: any PubSubBackend
    let metrics: OperationMetrics

    func publish(topic: String, data: [UInt8]) async throws(BuildingBlockError) {
        try await metrics.measure("publish") { () async throws(BuildingBlockError) in
            try await backend.publish(topic: topic, data: data)
        }
    }

    func consumer(topic: String, group: String, options: ConsumerOptions) async throws(BuildingBlockError)
        -> any PubSubConsumer
    {
        let consumer = try await metrics.measure("subscribe") { () async throws(BuildingBlockError) in
            try await backend.consumer(topic: topic, group: group, options: options)
        }
        return MeteredConsumer(consumer: consumer, metrics: metrics)
    }

    func close() async { await backend.close() }
}

struct MeteredConsumer: PubSubConsumer {
    let consumer: any PubSubConsumer
    let metrics: OperationMetrics

    func fetch(max: Int, waitSeconds: Double) async throws(BuildingBlockError) -> [PubSubDelivery] {
        try await metrics.measure("fetch") { () async throws(BuildingBlockError) in
            try await consumer.fetch(max: max, waitSeconds: waitSeconds)
        }
    }

    func ack(_ delivery: PubSubDelivery) async throws(BuildingBlockError) {
        try await metrics.measure("ack") { () async throws(BuildingBlockError) in try await consumer.ack(delivery) }
    }

    func nak(_ delivery: PubSubDelivery, delaySeconds: Double) async throws(BuildingBlockError) {
        try await metrics.measure("nak") { () async throws(BuildingBlockError) in
            try await consumer.nak(delivery, delaySeconds: delaySeconds)
        }
    }

    var leaseSeconds: Double { consumer.leaseSeconds }

    func extend(_ deliveries: [PubSubDelivery]) async throws(BuildingBlockError) {
        try await metrics.measure("extend") { () async throws(BuildingBlockError) in try await consumer.extend(deliveries) }
    }

    func close() async { await consumer.close() }
}

extension Resource {
    /// The instance with its state or pub/sub operations counted under component `name`.
    func metered(name: String, factory: any MetricsFactory) -> Resource {
        // Nobody reads the counts: skip the wrapper's lock and lookup.
        if factory is NOOPMetricsHandler { return self }
        return switch self {
        case .state(let store):
            .state(MeteredStateStore(
                store: store, metrics: OperationMetrics(label: "swiftlet_state_operations_total", component: name, factory: factory)))
        case .pubsub(let backend):
            .pubsub(MeteredPubSub(
                backend: backend,
                metrics: OperationMetrics(label: "swiftlet_pubsub_operations_total", component: name, factory: factory)))
        case .conversation(let model):
            .conversation(MeteredConversation(
                model: model,
                metrics: OperationMetrics(label: "swiftlet_conversation_operations_total", component: name, factory: factory),
                promptTokens: Counter(label: "swiftlet_conversation_tokens_total", dimensions: [("component", name), ("direction", "in")], factory: factory),
                completionTokens: Counter(label: "swiftlet_conversation_tokens_total", dimensions: [("component", name), ("direction", "out")], factory: factory)))
        default: self
        }
    }
}

/// A model whose calls and tokens are counted (`swiftlet_conversation_operations_total`,
/// `swiftlet_conversation_tokens_total{direction="in"|"out"}`), as the model reports them.
struct MeteredConversation: ConversationModel {
    let model: any ConversationModel
    let metrics: OperationMetrics
    let promptTokens: Counter
    let completionTokens: Counter

    func converse(_ request: ConversationRequest) async throws(BuildingBlockError) -> ConversationAnswer {
        let answer = try await metrics.measure("converse") { () async throws(BuildingBlockError) in try await model.converse(request) }
        count(answer.usage)
        return answer
    }

    func stream(_ request: ConversationRequest) -> AsyncThrowingStream<ConversationPiece, any Error> {
        let pieces = model.stream(request)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await piece in pieces {
                        if piece.finishReason != nil { count(piece.usage) }
                        continuation.yield(piece)
                    }
                    try await metrics.measure("stream") { () async throws(BuildingBlockError) in }
                    continuation.finish()
                } catch {
                    let kind = (error as? BuildingBlockError) ?? BuildingBlockError(.internalError, "\(error)")
                    try? await metrics.measure("stream") { () async throws(BuildingBlockError) in throw kind }
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func count(_ usage: ConversationUsage?) {
        guard let usage else { return }
        promptTokens.increment(by: Int64(clamping: usage.promptTokens))
        completionTokens.increment(by: Int64(clamping: usage.completionTokens))
    }
}
