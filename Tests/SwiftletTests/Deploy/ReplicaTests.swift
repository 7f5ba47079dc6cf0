import Foundation
import NIOHTTP1
import Testing

/// Three `swiftlet up` processes with one app and shared Redis (state) and Redis Streams or
/// NATS JetStream (pub/sub) behave as one service: state stays consistent across them, each
/// message is handled by one of them, and a replica killed mid-load loses no accepted order.
@Suite(.serialized) struct ReplicaTests {
    struct Replica {
        let process: Subprocess
        let url: String
        let admin: String
    }

    /// examples/counter and examples/orders in one app, named per run so its state keys and
    /// consumer groups start empty, publishing to a topic of its own so no other test's
    /// orders reach it (nor its orders them).
    func writeApp(in directory: URL, name: String, pubsub: String) throws -> (manifest: String, components: String) {
        let topic = "\(name)-orders"
        let manifest = """
            name: \(name)
            components:
              counter:
                source: \(Paths.example("counter/counter-swift.wasm"))
                executor: handler
                uses: [statestore]
            \(ExampleComponents.orders(topic: topic))
            triggers:
              http:
                - { route: /count, component: counter }
                - { route: /orders, component: orders-api }
                - { route: /orders/count, component: orders-api }
              pubsub:
                - { pubsub: pubsub, topic: \(topic), component: orders-store, max_in_flight: 8 }
            """
        // Redelivery timeouts short enough for the killed replica's unacknowledged messages
        // to come back within the test, long enough that a loaded machine does not redeliver
        // messages still being handled (which would count them twice).
        let broker =
            pubsub == "redis"
            ? """
            type: pubsub.redis
              version: v1
              metadata:
                - { name: redisHost, value: "\(Services.redis)" }
                - { name: processingTimeout, value: 8s }
            """
            : """
            type: pubsub.jetstream
              version: v1
              metadata:
                - { name: natsURL, value: "\(Services.nats)" }
                - { name: ackWait, value: 8s }
            """
        let components = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: statestore }
            spec:
              type: state.redis
              version: v1
              metadata:
                - { name: redisHost, value: "\(Services.redis)" }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: pubsub }
            spec:
              \(broker)
            """
        let manifestURL = directory.appendingPathComponent("swiftlet.yaml")
        try Data(manifest.utf8).write(to: manifestURL)
        let componentsURL = directory.appendingPathComponent("components")
        try FileManager.default.createDirectory(at: componentsURL, withIntermediateDirectories: true)
        try Data(components.utf8).write(to: componentsURL.appendingPathComponent("components.yaml"))
        return (manifestURL.path, componentsURL.path)
    }

    func start(manifest: String, components: String, stateDirectory: String) async throws -> Replica {
        let process = try Subprocess(
            try Paths.swiftletBinary(),
            [
                "up", "-f", manifest, "--components", components, "--state-dir", stateDirectory, "--listen", "127.0.0.1:0",
                "--admin-listen", "127.0.0.1:0", "--no-dapr",
            ])
        func url(_ marker: String) async throws -> String {
            let line = try await process.waitForStderr(containing: marker)
            return String(line[line.range(of: "http://")!.lowerBound...])
        }
        return Replica(process: process, url: try await url("listening on http://"), admin: try await url("admin API on http://"))
    }

    func orderCount(_ replica: Replica) async throws -> Int {
        Int(try await TestServer.send(replica.url + "/orders/count").body.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Posts orders `ids` round-robin over `targets()` (16 at a time); returns how many the
    /// runtime accepted (202: durably published) and how many failed.
    func post(_ ids: Range<Int>, run: String, targets: @escaping @Sendable (Int) -> Replica?) async throws -> (accepted: Int, failed: Int) {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var next = ids.lowerBound
            var accepted = 0
            var failed = 0
            func add() {
                let id = next
                next += 1
                group.addTask {
                    guard let target = targets(id) else { return false }
                    let response = try? await TestServer.send(
                        target.url + "/orders", method: .POST, headers: [("content-type", "application/json")],
                        body: #"{"id":"\#(run)-\#(id)"}"#, timeout: .seconds(10))
                    return response?.status == 202
                }
            }
            for _ in 0..<16 where next < ids.upperBound { add() }
            while let ok = try await group.next() {
                if ok { accepted += 1 } else { failed += 1 }
                if next < ids.upperBound { add() }
            }
            return (accepted, failed)
        }
    }

    @Test(arguments: ["redis", "jetstream"])
    func threeReplicasBehaveAsOneService(pubsub: String) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = UUID().uuidString.prefix(8).lowercased()
        let app = try writeApp(in: directory, name: "replicas-\(run)", pubsub: pubsub)
        var replicas: [Replica] = []
        defer { for replica in replicas { replica.process.signal(SIGKILL) } }
        for index in 0..<3 {
            replicas.append(try await start(
                manifest: app.manifest, components: app.components, stateDirectory: directory.appendingPathComponent("r\(index)").path))
        }
        let all = replicas

        // 1. State: 60 concurrent increments spread over the replicas, none lost.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<60 {
                group.addTask { try await TestServer.send(all[index % 3].url + "/count", method: .POST).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        for replica in replicas {
            #expect(try await TestServer.send(replica.url + "/count").body.trimmingCharacters(in: .whitespacesAndNewlines) == "60")
        }

        // 2. Competing consumers: 300 orders, each handled by exactly one replica.
        let first = try await post(0..<300, run: String(run)) { all[$0 % 3] }
        #expect(first.accepted == 300 && first.failed == 0, "\(first)")
        let deadline = Date().addingTimeInterval(60)
        while try await orderCount(replicas[0]) < 300, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        var handled: [Double] = []
        for replica in replicas {
            #expect(try await orderCount(replica) == 300)
            let metrics = try PrometheusText(try await TestServer.send(replica.admin + "/metrics").body)
            handled.append(metrics.value("swiftlet_pubsub_deliveries_total", ["outcome": "success"]))
        }
        #expect(handled.reduce(0, +) == 300, "deliveries per replica: \(handled)")
        #expect(handled.filter { $0 > 0 }.count >= 2, "the replicas compete for messages: \(handled)")

        // 3. One replica killed mid-load: every order the service accepted is stored once.
        let victim = replicas[2]
        let killAfter = 150
        let second = try await post(300..<900, run: String(run)) { id in
            if id == 300 + killAfter { victim.process.signal(SIGKILL) }
            return id >= 300 + killAfter ? all[id % 2] : all[id % 3]
        }
        #expect(second.accepted >= 600 - 32, "accepted \(second.accepted), failed \(second.failed)")
        let survivors = Array(replicas[0..<2])
        let settle = Date().addingTimeInterval(60)
        var stored = try await orderCount(survivors[0])
        while stored < 300 + second.accepted, Date() < settle {
            try await Task.sleep(for: .milliseconds(250))
            stored = try await orderCount(survivors[0])
        }
        // An order whose POST failed as the victim died may still have been published.
        #expect(stored >= 300 + second.accepted, "stored \(stored - 300) of \(second.accepted) accepted orders")
        #expect(stored <= 300 + second.accepted + second.failed)
        for survivor in survivors {
            survivor.process.signal(SIGTERM)
            #expect(try await survivor.process.waitForExit(timeout: 30) == 0)
        }
    }
}
