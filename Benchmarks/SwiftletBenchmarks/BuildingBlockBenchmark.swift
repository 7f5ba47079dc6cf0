import Foundation
import Logging
import NIOCore
import PostgresNIO
import SwiftletABI
import SwiftletBlocks
import SwiftletResources
import SwiftletEventTriggers
import SwiftletManifest
import SwiftletRedis
import SwiftletRuntime
import SwiftletWasmHost

/// State latency from a guest vs a raw round trip to the same backend, and publish-to-guest
/// throughput vs the raw broker's, all in one run. Needs `scripts/services.sh start` and
/// `scripts/build-guests.sh` (for guests/build/statebench.wasm).
struct BuildingBlockBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport
    let samples = 2000

    static let redisHost = "127.0.0.1:16379"
    static let postgres = "host=127.0.0.1 port=15432 user=postgres database=postgres"
    static let nats = "nats://127.0.0.1:14222"

    func run() async throws {
        let guest = paths.repository.appendingPathComponent("guests/build/statebench.wasm").path
        guard FileManager.default.fileExists(atPath: guest) else {
            throw BenchmarkError("\(guest) is missing: run scripts/build-guests.sh")
        }
        report.line("operation                         p50 ms   p99 ms   (raw p50 / p99 in the same run)")
        let states: [(String, String, [String: String])] = [
            ("sqlite", "state.sqlite", ["connectionString": NSTemporaryDirectory() + "/bench-\(UUID().uuidString).db"]),
            ("redis", "state.redis", ["redisHost": Self.redisHost]),
            ("postgresql", "state.postgresql", ["connectionString": Self.postgres, "tableName": "bench_state"]),
        ]
        for (name, type, metadata) in states {
            do {
                try await stateLatency(name: name, type: type, metadata: metadata, guest: guest)
            } catch {
                report.line("\(name): skipped (\(error)); start the services with scripts/services.sh start")
            }
        }
        report.section("Publish to guest (messages/s over 2000 messages, first publish to last ack)")
        let brokers: [(String, String, [String: String])] = [
            ("sqlite", "pubsub.sqlite", ["connectionString": NSTemporaryDirectory() + "/bench-\(UUID().uuidString).db"]),
            ("redis", "pubsub.redis", ["redisHost": Self.redisHost]),
            ("jetstream", "pubsub.jetstream", ["natsURL": Self.nats]),
        ]
        for (name, type, metadata) in brokers {
            do {
                try await publishThroughput(name: name, type: type, metadata: metadata, guest: guest)
            } catch {
                report.line("\(name): skipped (\(error)); start the services with scripts/services.sh start")
            }
        }
    }

    func component(_ type: String, _ metadata: [String: String]) async throws -> ResourceRegistry {
        let location = ManifestLocation(file: "bench", line: 0, column: 0, field: "")
        let spec = ResourceSpec(
            name: type.hasPrefix("state") ? "statestore" : "pubsub", type: type,
            metadata: metadata.map { MetadataItem(name: $0.key, value: $0.value, location: location) }, location: location)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        return try await ResourceRegistry.load(
            [spec], factories: LoadedApp.factories,
            context: ResourceContext(appID: "bench", stateDirectory: NSTemporaryDirectory(), baseDirectory: NSTemporaryDirectory(), logger: logger))
    }

    func loadGuest(_ path: String, registry: ResourceRegistry, host: WasmHost) throws -> ComponentHost {
        var configuration = ComponentConfiguration(id: "statebench", modulePath: path, executor: .handler)
        configuration.services = BenchServices(registry: registry, workers: host.workers)
        return try host.loadComponent(configuration)
    }

    func stateLatency(name: String, type: String, metadata: [String: String], guest: String) async throws {
        let registry = try await component(type, metadata)
        let host = WasmHost(tiers: EngineTiers.available())
        defer { host.shutdown() }
        let component = try loadGuest(guest, registry: registry, host: host)
        guard let raw = registry.state("statestore") else { throw BenchmarkError("no state store") }
        let store = NamespacedStateStore(raw, prefix: "bench||")
        try await store.set(StateSetRequest(key: "bench", value: Array("value".utf8)))

        func timeGuest(_ path: String) async throws -> [Double] {
            try await Latency.sample(samples) {
                guard case .complete(let response) = try await component.handle(GuestRequest(method: "GET", path: path)),
                    response.status == 200
                else { throw BenchmarkError("guest call \(path) failed") }
            }
        }
        _ = try await timeGuest("/noop")  // warm-up
        let noop = try await timeGuest("/noop")
        let get = try await timeGuest("/get")
        let set = try await timeGuest("/set")
        let rawGet = try await Latency.sample(samples) { _ = try await store.get("bench") }
        let rawSet = try await Latency.sample(samples) { try await store.set(StateSetRequest(key: "bench", value: Array("value".utf8))) }
        let (rawPingP50, rawPingP99) = try await rawRoundTrip(type: type, metadata: metadata)
        report.line(Latency.row("guest call without state", noop))
        report.line(Latency.row("\(name) get from a guest", get) + "   (store API \(Latency.stats(rawGet)); wire \(rawPingP50) / \(rawPingP99))")
        report.line(Latency.row("\(name) set from a guest", set) + "   (store API \(Latency.stats(rawSet)))")
        component.close()
        await registry.close()
    }

    /// The backend's bare round trip: PING for Redis, SELECT 1 for PostgreSQL.
    func rawRoundTrip(type: String, metadata: [String: String]) async throws -> (String, String) {
        let times: [Double]
        switch type {
        case "state.redis":
            let client = RedisClient(configuration: RedisClient.Configuration(host: "127.0.0.1", port: 16379))
            times = try await Latency.sample(samples) { _ = try await client.send(["PING"]) }
            await client.close()
        case "state.postgresql":
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let client = PostgresClient(
                configuration: PostgresClient.Configuration(
                    host: "127.0.0.1", port: 15432, username: "postgres", password: nil, database: "postgres", tls: .disable),
                backgroundLogger: logger)
            let runner = Task { await client.run() }
            times = try await Latency.sample(samples) { _ = try await client.query("SELECT 1").collect() }
            runner.cancel()
        default:
            return ("-", "-")
        }
        return (format(Latency.p50(times), 3), format(Latency.p99(times), 3))
    }

    func publishThroughput(name: String, type: String, metadata: [String: String], guest: String) async throws {
        let registry = try await component(type, metadata)
        guard let broker = registry.pubsub("pubsub") else { throw BenchmarkError("no broker") }
        let host = WasmHost(tiers: EngineTiers.available())
        defer { host.shutdown() }
        let component = try loadGuest(guest, registry: registry, host: host)
        let count = 2000
        let payload = Array(#"{"id":"x","amount":1}"#.utf8)

        // Both sides are timed the same way: from the first publish until the last message is
        // acknowledged, with the consumer running while the publisher publishes.
        let rawTopic = "bench-raw-\(UUID().uuidString.prefix(8))"
        let rawConsumer = try await broker.consumer(topic: rawTopic, group: "bench", options: ConsumerOptions())
        var start = Date()
        let consuming = Task {
            var consumed = 0
            while consumed < count {
                let batch = try await rawConsumer.fetch(max: 16, waitSeconds: 1)
                for delivery in batch { try await rawConsumer.ack(delivery) }
                consumed += batch.count
            }
        }
        for _ in 0..<count { try await broker.publish(topic: rawTopic, data: payload) }
        let rawPublish = Double(count) / Date().timeIntervalSince(start)
        try await consuming.value
        let raw = Double(count) / Date().timeIntervalSince(start)
        await rawConsumer.close()

        // Through Swiftlet: the subscription delivers each message to the guest, then acks.
        let topic = "bench-guest-\(UUID().uuidString.prefix(8))"
        let counter = CountingDestination(inner: ComponentDestination(component: component))
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let trigger = SubscriptionTrigger(
            settings: SubscriptionTrigger.Settings(pubsubName: "pubsub", topic: topic, group: "bench-guest", routes: TopicRoutes(path: "/event"), maxInFlight: 16),
            broker: broker, destination: counter, appID: "bench", logger: logger)
        let running = Task { await trigger.loop() }
        try await Task.sleep(for: .milliseconds(200))  // the consumer group exists before publishing
        start = Date()
        for _ in 0..<count { try await broker.publish(topic: topic, data: payload) }
        while counter.delivered < count {
            try await Task.sleep(for: .milliseconds(2))
            guard Date().timeIntervalSince(start) < 120 else { throw BenchmarkError("deliveries stalled at \(counter.delivered)") }
        }
        let throughGuest = Double(count) / Date().timeIntervalSince(start)
        running.cancel()
        await running.value
        report.line(
            "\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) publish->guest->ack \(format(throughGuest, 0))/s; raw publish->fetch->ack \(format(raw, 0))/s (publish alone \(format(rawPublish, 0))/s); ratio \(format(throughGuest / raw, 2))x")
        component.close()
        await registry.close()
    }
}

/// Counts deliveries the guest accepted.
final class CountingDestination: EventDestination, @unchecked Sendable {
    let inner: any EventDestination
    private let lock = NSLock()
    private var count = 0

    init(inner: any EventDestination) {
        self.inner = inner
    }

    var name: String { inner.name }
    var delivered: Int { lock.withLock { count } }

    func deliver(_ request: GuestRequest) async -> EventOutcome {
        let outcome = await inner.deliver(request)
        if outcome == .success { lock.withLock { count += 1 } }
        return outcome
    }
}



/// The benchmark guest may use the one state store and broker loaded for it.
struct BenchServices: GuestServices {
    let registry: ResourceRegistry
    let workers: GuestWorkerPool

    func wait<T: Sendable>(until deadline: UInt64?, _ operation: @escaping @Sendable () async throws(BuildingBlockError) -> T)
        throws(ABIError) -> T
    {
        try workers.wait(until: deadline, operation)
    }

    func stateStore(_ name: String) throws(BuildingBlockError) -> any StateStore {
        guard let store = registry.state(name) else { throw BuildingBlockError(.notFound, name) }
        return NamespacedStateStore(store, prefix: "bench||")
    }

    func publish(
        pubsub: String, topic: String, data: [UInt8], contentType: String?, metadata: [String: String], traceparent: String?
    ) async throws(BuildingBlockError) {
        throw BuildingBlockError(.denied, "not in this benchmark")
    }

    func secret(store: String, name: String) async throws(BuildingBlockError) -> [String: String] {
        throw BuildingBlockError(.denied, "not in this benchmark")
    }

    func configuration(store: String, keys: [String]) async throws(BuildingBlockError) -> [String: ConfigurationItem] {
        throw BuildingBlockError(.denied, "not in this benchmark")
    }

    func invokeBinding(name: String, operation: String, data: [UInt8], metadata: [String: String]) async throws(BuildingBlockError)
        -> BindingResponse
    {
        throw BuildingBlockError(.denied, "not in this benchmark")
    }

    func send(_ request: OutboundRequest, deadline: UInt64?) async throws(BuildingBlockError) -> GuestResponse {
        throw BuildingBlockError(.denied, "not in this benchmark")
    }

    func invoke(appID: String, request: GuestRequest, deadline: UInt64?) throws(BuildingBlockError) -> GuestResponse {
        throw BuildingBlockError(.denied, "not in this benchmark")
    }
}
