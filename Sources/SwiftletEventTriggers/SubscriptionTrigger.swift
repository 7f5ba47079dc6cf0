import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import SwiftletABI
import SwiftletBlocks
import SwiftletCore
import SwiftletTelemetry
import Tracing

/// A topic subscription: fetches from the broker, delivers to the destination and
/// acknowledges only after success. Failures retry with exponential backoff; a message that
/// is dropped or out of attempts goes to the dead-letter topic, if any, before it is
/// acknowledged. A broker outage is waited out, never fatal.
public struct SubscriptionTrigger: Service {
    public struct Settings: Sendable {
        public var pubsubName: String
        public var topic: String
        /// Consumer group: the same across replicas, so they compete for messages.
        public var group: String
        /// Where each event is delivered: routing rules and a default path (a route, or
        /// `/<topic>`).
        public var routes: TopicRoutes
        public var deadLetterTopic: String?
        public var maxInFlight: Int
        public var maxAttempts: Int
        public var retryDelaySeconds: Double
        /// How long fetched messages stay with this process without a heartbeat (see
        /// ``ConsumerOptions/leaseSeconds``).
        public var leaseSeconds: Double

        public init(
            pubsubName: String, topic: String, group: String, routes: TopicRoutes, deadLetterTopic: String? = nil,
            maxInFlight: Int = 16, maxAttempts: Int = 10, retryDelaySeconds: Double = 1,
            leaseSeconds: Double = ConsumerOptions.defaultLeaseSeconds
        ) {
            self.pubsubName = pubsubName
            self.topic = topic
            self.group = group
            self.routes = routes
            self.deadLetterTopic = deadLetterTopic
            self.maxInFlight = maxInFlight
            self.maxAttempts = maxAttempts
            self.retryDelaySeconds = retryDelaySeconds
            self.leaseSeconds = leaseSeconds
        }
    }

    public let settings: Settings
    let broker: any PubSubBackend
    let destination: any EventDestination
    let appID: String
    let deliveries: DeliveryMetrics
    let logger: Logger

    public init(
        settings: Settings, broker: any PubSubBackend, destination: any EventDestination, appID: String,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        self.settings = settings
        deliveries = DeliveryMetrics(pubsub: settings.pubsubName, topic: settings.topic, factory: metrics)
        self.broker = broker
        self.destination = destination
        self.appID = appID
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await loop()
        }
    }

    /// Runs until the task is cancelled (what `run()` does until graceful shutdown).
    public func loop() async {
        var consumer: (any PubSubConsumer)?
        var failures = 0
        while !Task.isCancelled {
            do throws(BuildingBlockError) {
                if consumer == nil {
                    consumer = try await broker.consumer(
                        topic: settings.topic, group: settings.group,
                        options: ConsumerOptions(leaseSeconds: settings.leaseSeconds, maxBatch: settings.maxInFlight))
                }
                guard let active = consumer else { continue }
                let batch = try await active.fetch(max: settings.maxInFlight, waitSeconds: 1)
                if failures > 0 {
                    logger.info("subscription \(settings.topic) on \(settings.pubsubName) recovered")
                    failures = 0
                }
                // Each batch is at most max_in_flight deliveries, processed concurrently,
                // with their leases renewed until each is settled.
                let unsettled = Locked(Dictionary(uniqueKeysWithValues: batch.map { ($0.id, $0) }))
                await withTaskGroup(of: Void.self) { group in
                    let heartbeat = Task { await renew(unsettled, consumer: active) }
                    for delivery in batch {
                        group.addTask {
                            await process(delivery, consumer: active)
                            unsettled.withLock { _ = $0.removeValue(forKey: delivery.id) }
                        }
                    }
                    await group.waitForAll()
                    heartbeat.cancel()
                }
            } catch {
                if failures % 30 == 0 {
                    logger.warning("subscription \(settings.topic) on \(settings.pubsubName): \(error.message); retrying")
                }
                failures += 1
                try? await Task.sleep(for: .seconds(1))
            }
        }
        await consumer?.close()
    }

    /// Renews the leases of deliveries still being processed, every third of the lease, so
    /// this process keeps them while it lives and loses them soon after it dies.
    func renew(_ unsettled: Locked<[String: PubSubDelivery]>, consumer: any PubSubConsumer) async {
        let interval = Duration.milliseconds(Int64(max(100, consumer.leaseSeconds * 1000 / 3)))
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let pending = unsettled.withLock { Array($0.values) }
            guard !Task.isCancelled, !pending.isEmpty else { continue }
            do throws(BuildingBlockError) {
                try await consumer.extend(pending)
            } catch {
                // A missed heartbeat costs at most a duplicate delivery.
                logger.debug("could not renew \(pending.count) \(settings.topic) lease(s): \(error.message)")
            }
        }
    }

    func process(_ delivery: PubSubDelivery, consumer: any PubSubConsumer) async {
        let outcome: EventOutcome
        if let path = settings.routes.path(for: delivery.data) {
            let request = request(for: delivery, path: path)
            outcome = Telemetry.tracingEnabled ? await traced(delivery, request) : await destination.deliver(request)
        } else {
            outcome = .drop("no routing rule matched the event and the subscription has no default route")
        }
        do throws(BuildingBlockError) {
            switch outcome {
            case .success:
                try await consumer.ack(delivery)
                deliveries.succeeded.increment()
            case .retry(let reason) where delivery.attempt < settings.maxAttempts:
                deliveries.retried.increment()
                let delay = min(60, settings.retryDelaySeconds * pow(2, Double(delivery.attempt - 1)))
                logger.info(
                    "redelivering \(settings.topic) message in \(delay) s (attempt \(delivery.attempt)): \(reason)")
                try await consumer.nak(delivery, delaySeconds: delay)
            case .retry(let reason), .drop(let reason):
                if let deadLetter = settings.deadLetterTopic {
                    try await broker.publish(topic: deadLetter, data: delivery.data)
                    logger.warning("moved a \(settings.topic) message to \(deadLetter) after \(delivery.attempt) attempt(s): \(reason)")
                    deliveries.deadLettered.increment()
                } else {
                    logger.warning("dropped a \(settings.topic) message after \(delivery.attempt) attempt(s): \(reason)")
                    deliveries.dropped.increment()
                }
                try await consumer.ack(delivery)
            }
        } catch {
            // Not acknowledged: the lease runs out and the broker delivers it again.
            logger.warning("could not settle a \(settings.topic) message: \(error.message)")
        }
    }

    /// Delivers in a consumer span, child of the publisher's span (the CloudEvent's
    /// traceparent); the destination sees this span's context.
    func traced(_ delivery: PubSubDelivery, _ request: GuestRequest) async -> EventOutcome {
        await withSpan("\(settings.topic) process", context: TraceHeaders.context(from: request.headers), ofKind: .consumer) {
            span in
            span.attributes["messaging.system"] = settings.pubsubName
            span.attributes["messaging.destination.name"] = settings.topic
            span.attributes["messaging.message.id"] = delivery.id
            span.attributes["messaging.delivery_attempt"] = delivery.attempt
            var request = request
            request.headers = TraceHeaders.replacing(request.headers, with: span.context)
            let outcome = await destination.deliver(request)
            if case .success = outcome {} else { span.setStatus(SpanStatus(code: .error)) }
            return outcome
        }
    }

    func request(for delivery: PubSubDelivery, path: String) -> GuestRequest {
        var headers: HeaderList = [("content-type", CloudEvent.contentType)]
        if let object = try? JSONSerialization.jsonObject(with: Data(delivery.data)) as? [String: Any],
            let traceparent = object["traceparent"] as? String
        {
            headers.append(("traceparent", traceparent))
        }
        headers.append(("x-swiftlet-delivery-attempt", String(delivery.attempt)))
        return GuestRequest(
            method: "POST", path: path, headers: headers, body: delivery.data,
            origin: RequestOrigin(requestID: "sub-\(settings.topic)-\(delivery.id.suffix(12))", matchedRoute: path,
                                  routeBase: path))
    }
}

/// Runs an input binding (`bindings.cron`), delivering each event to the destination.
public struct BindingTrigger: Service {
    let name: String
    let binding: any InputBinding
    let destination: any EventDestination
    let logger: Logger

    public init(name: String, binding: any InputBinding, destination: any EventDestination, logger: Logger) {
        self.name = name
        self.binding = binding
        self.destination = destination
        self.logger = logger
    }

    public func run() async throws {
        let name = name
        let destination = destination
        let logger = logger
        await cancelWhenGracefulShutdown {
            await binding.run { data in
                let request = GuestRequest(
                    method: "POST", path: "/\(name)", headers: [("content-type", "application/json")], body: data,
                    origin: RequestOrigin(requestID: "binding-\(name)-\(UUID().uuidString.prefix(8))", matchedRoute: "/\(name)",
                                          routeBase: "/\(name)"))
                let outcome = await destination.deliver(request)
                if case .success = outcome { return true }
                logger.warning("input binding \(name) -> \(destination.name): \(outcome)")
                return false
            }
        }
    }
}

/// Deliveries of one subscription by outcome (`swiftlet_pubsub_deliveries_total`).
struct DeliveryMetrics: Sendable {
    let succeeded: Counter
    let retried: Counter
    let dropped: Counter
    let deadLettered: Counter

    init(pubsub: String, topic: String, factory: any MetricsFactory) {
        func counter(_ outcome: String) -> Counter {
            Counter(
                label: "swiftlet_pubsub_deliveries_total",
                dimensions: [("pubsub", pubsub), ("topic", topic), ("outcome", outcome)], factory: factory)
        }
        succeeded = counter("success")
        retried = counter("retry")
        dropped = counter("drop")
        deadLettered = counter("dead-letter")
    }
}
