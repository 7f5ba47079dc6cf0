/// A message handed to a subscriber; the backend token in ``id`` acknowledges it.
public struct PubSubDelivery: Sendable {
    /// Backend-specific handle (a stream entry id, a JetStream reply subject, a row id).
    public let id: String
    public let topic: String
    public let data: [UInt8]
    /// 1 on first delivery, then counting redeliveries.
    public let attempt: Int

    public init(id: String, topic: String, data: [UInt8], attempt: Int) {
        self.id = id
        self.topic = topic
        self.data = data
        self.attempt = attempt
    }
}

/// How a consumer holds what it fetched.
public struct ConsumerOptions: Sendable {
    /// How long a fetched delivery stays with this consumer without a word from it. The
    /// subscription renews the lease (``PubSubConsumer/extend(_:)``) every third of it while
    /// the delivery is processed, so a slow guest keeps its messages and a dead process loses
    /// them within this time: they go to another member or to the restarted process.
    public var leaseSeconds: Double
    public var maxBatch: Int

    public static let defaultLeaseSeconds: Double = 5

    public init(leaseSeconds: Double = ConsumerOptions.defaultLeaseSeconds, maxBatch: Int = 32) {
        self.leaseSeconds = leaseSeconds
        self.maxBatch = maxBatch
    }
}

/// A message broker (`pubsub.*` components): durable topics with consumer groups and
/// at-least-once delivery.
public protocol PubSubBackend: Sendable {
    /// Publishes `data` (a CloudEvent envelope or a raw payload) to `topic`; returns once the
    /// broker has it durably.
    func publish(topic: String, data: [UInt8]) async throws(BuildingBlockError)
    /// Joins consumer group `group` on `topic`, creating it if needed. Members of one group
    /// compete for messages; each group sees every message.
    func consumer(topic: String, group: String, options: ConsumerOptions) async throws(BuildingBlockError)
        -> any PubSubConsumer
    func close() async
}

/// One member of a consumer group.
public protocol PubSubConsumer: Sendable {
    /// Up to `max` deliveries, waiting up to `waitSeconds` for the first; redeliveries of
    /// expired or refused messages come first.
    func fetch(max: Int, waitSeconds: Double) async throws(BuildingBlockError) -> [PubSubDelivery]
    func ack(_ delivery: PubSubDelivery) async throws(BuildingBlockError)
    /// Refuses a delivery; it comes back after `delaySeconds`.
    func nak(_ delivery: PubSubDelivery, delaySeconds: Double) async throws(BuildingBlockError)
    /// How long this consumer's deliveries are leased, so the caller can renew in time.
    var leaseSeconds: Double { get }
    /// Renews the lease on deliveries still being processed (see
    /// ``ConsumerOptions/leaseSeconds``). Deliveries the consumer no longer holds are skipped.
    func extend(_ deliveries: [PubSubDelivery]) async throws(BuildingBlockError)
    func close() async
}
