import Foundation
import NIOHTTP1
import Testing

/// A backend that goes away mid-run turns into error codes and 503s, never a crash or a hang;
/// when it comes back, Swiftlet carries on without a restart.
@Suite("Backend outages")
struct BackendOutageTests {
    @Test func redisGoingAwayAndComingBack() async throws {
        let redis = try DedicatedServer.redis()
        try await redis.start()
        let example = try ExampleCopy("counter")
        defer { example.remove() }
        let components = example.path("components-outage")
        try FileManager.default.createDirectory(atPath: components, withIntermediateDirectories: true)
        try Data(
            """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: statestore }
            spec:
              type: state.redis
              metadata:
                - { name: redisHost, value: "127.0.0.1:\(redis.port)" }
            """.utf8
        ).write(to: URL(fileURLWithPath: components).appendingPathComponent("statestore.yaml"))

        try await TestServer.serve(manifestPath: example.manifest, componentsDirectory: components) { (server: TestServer) async throws in
            #expect(try await server.request("/count", method: .POST).body == "1\n")
            try await redis.stop()

            let started = Date()
            let down = try await server.request("/count", method: .POST)
            #expect(down.status == 503, "\(down.status) \(down.body)")
            #expect(down.body.contains("state store error -7"), "the guest saw EUNAVAILABLE: \(down.body)")
            #expect(Date().timeIntervalSince(started) < 5, "no hang while Redis is down")
            #expect(try await server.request("/.well-known/swiftlet/health").status == 200)

            try await redis.start()
            let back = try await server.request("/c/count", method: .POST)
            #expect(back.status == 200, "recovered without a restart: \(back.body)")
            #expect(back.body == "1\n", "a fresh Redis starts counting again")
        }
    }

    @Test func natsGoingAwayAndComingBack() async throws {
        let nats = try DedicatedServer.nats()
        try await nats.start()
        let example = try ExampleCopy("orders")
        defer { example.remove() }
        let components = example.path("components-outage")
        try FileManager.default.createDirectory(atPath: components, withIntermediateDirectories: true)
        try Data(
            """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: pubsub }
            spec:
              type: pubsub.jetstream
              metadata:
                - { name: natsURL, value: "nats://127.0.0.1:\(nats.port)" }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: statestore }
            spec:
              type: state.sqlite
              metadata:
                - { name: connectionString, value: "outage-state.db" }
            """.utf8
        ).write(to: URL(fileURLWithPath: components).appendingPathComponent("components.yaml"))

        try await TestServer.serve(manifestPath: example.manifest, componentsDirectory: components) { (server: TestServer) async throws in
            func post(_ id: String) async throws -> TestResponse {
                try await server.request("/orders", method: .POST, body: #"{"id":"\#(id)"}"#)
            }
            func waitForCount(_ expected: String) async throws -> String {
                var count = ""
                for _ in 0..<100 {
                    count = try await server.request("/orders/count").body
                    if count == expected { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return count
            }
            #expect(try await post("before").status == 202)
            #expect(try await waitForCount("1\n") == "1\n")

            try await nats.stop()
            let started = Date()
            let down = try await post("during")
            #expect(down.status == 503, "\(down.status) \(down.body)")
            #expect(Date().timeIntervalSince(started) < 10, "no hang while NATS is down")

            try await nats.start()
            var accepted = false
            for _ in 0..<50 where !accepted {
                accepted = try await post("after").status == 202
                if !accepted { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(accepted, "publishing works again without a restart")
            #expect(try await waitForCount("2\n") == "2\n", "the subscription resumed")
        }
    }
}
