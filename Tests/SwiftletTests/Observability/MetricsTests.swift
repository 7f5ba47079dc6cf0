import Foundation
import NIOHTTP1
import Testing

/// `/metrics` on the admin port of a real `swiftlet up`: valid Prometheus text whose
/// counters move as requests, failures, limit hits, state operations and deliveries happen.
@Suite struct MetricsTests {
    /// examples/orders (state + pub/sub + a subscription on the embedded defaults) beside
    /// a misbehaving guest and a WAGI one.
    func writeApp(in directory: URL) throws -> String {
        let manifest = """
            name: observed
            components:
            \(ExampleComponents.orders())
              bad:
                source: \(try Paths.guest("misbehave"))
                executor: handler
                limits: { timeout: 10s, fuel: 2000000, max_request_body: 1Ki }
              hello:
                source: \(Paths.example("hello/hello-c.wasm"))
                executor: wagi
                # Metered on every tier (Wasmtime compiles metering in only for a budget).
                limits: { fuel: 100000000 }
            triggers:
              http:
                - { route: /orders, component: orders-api }
                - { route: /orders/count, component: orders-api }
                - { route: /bad/:what, component: bad }
                - { route: /hello, component: hello }
              pubsub:
                - { pubsub: pubsub, topic: orders, component: orders-store }
            """
        let path = directory.appendingPathComponent("swiftlet.yaml")
        try Data(manifest.utf8).write(to: path)
        return path.path
    }

    func scrape(_ admin: String) async throws -> PrometheusText {
        let response = try await TestServer.send(admin + "/metrics")
        #expect(response.status == 200)
        #expect(response.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        return try PrometheusText(response.body)
    }

    @Test func countersMoveAsRequestsRun() async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try writeApp(in: directory)
        let process = try Subprocess(
            try Paths.swiftletBinary(), ["up", "-f", manifest, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--no-dapr"])
        defer { process.signal(SIGKILL) }
        func url(_ marker: String) async throws -> String {
            let line = try await process.waitForStderr(containing: marker)
            return String(line[line.range(of: "http://")!.lowerBound...])
        }
        let base = try await url("listening on http://")
        let admin = try await url("admin API on http://")

        let before = try await scrape(admin)
        // Per-component series exist from load time, at zero; HTTP series appear with traffic.
        #expect(before.has("swiftlet_guest_failures_total", ["component": "bad", "kind": "trap"]))
        #expect(before.value("swiftlet_guest_failures_total", ["component": "bad", "kind": "trap"]) == 0)
        #expect(!before.has("swiftlet_http_requests_total", ["route": "/hello"]))

        for _ in 0..<5 { #expect(try await TestServer.send(base + "/hello").status == 200) }
        for id in 0..<3 {
            let posted = try await TestServer.send(
                base + "/orders", method: .POST, headers: [("content-type", "application/json")], body: #"{"id":"o-\#(id)"}"#)
            #expect(posted.status == 202)
        }
        #expect(try await TestServer.send(base + "/bad/trap").status == 500)
        #expect(try await TestServer.send(base + "/bad/loop").status == 500, "fuel runs out first")
        #expect(try await TestServer.send(base + "/bad/ok", method: .POST, body: String(repeating: "x", count: 4096)).status == 413)
        #expect(try await TestServer.send(base + "/nowhere").status == 404)
        // The subscriber stores the orders asynchronously.
        let deadline = Date().addingTimeInterval(20)
        while try await TestServer.send(base + "/orders/count").body.trimmingCharacters(in: .whitespacesAndNewlines) != "3",
            Date() < deadline
        {
            try await Task.sleep(for: .milliseconds(50))
        }

        let after = try await scrape(admin)
        #expect(after.types["swiftlet_http_requests_total"] == "counter")
        #expect(after.types["swiftlet_http_request_duration_seconds"] == "histogram")
        #expect(after.has("swiftlet_http_requests_total", ["route": "/hello", "component": "hello", "status": "200"]))
        #expect(after.value("swiftlet_http_requests_total", ["route": "/hello", "component": "hello", "status": "200"]) == 5)
        #expect(after.value("swiftlet_http_requests_total", ["route": "/orders", "status": "202"]) == 3)
        #expect(after.value("swiftlet_http_requests_total", ["route": "/bad/:what", "status": "500"]) == 2)
        #expect(after.value("swiftlet_http_requests_total", ["route": "/bad/:what", "status": "413"]) == 1)
        #expect(after.value("swiftlet_http_requests_total", ["route": "", "status": "404"]) == 1)
        #expect(after.value("swiftlet_http_request_duration_seconds_count", ["route": "/hello"]) == 5)
        #expect(after.value("swiftlet_http_request_duration_seconds_bucket", ["route": "/hello", "le": "+Inf"]) == 5)

        // WAGI: a fresh instance per request; the handler reuses warm ones.
        #expect(after.value("swiftlet_instances_created_total", ["component": "hello"]) >= 5)
        #expect(after.has("swiftlet_instances_reused_total", ["component": "hello"]))
        #expect(after.value("swiftlet_instances_reused_total", ["component": "hello"]) == 0)
        #expect(after.value("swiftlet_instances_reused_total", ["component": "orders-api"]) >= 2)

        #expect(after.value("swiftlet_guest_failures_total", ["component": "bad", "kind": "trap"]) == 1)
        #expect(after.value("swiftlet_guest_failures_total", ["component": "bad", "kind": "fuel"]) == 1)
        #expect(after.value("swiftlet_limit_hits_total", ["component": "bad", "limit": "fuel"]) == 1)
        #expect(after.value("swiftlet_limit_hits_total", ["component": "bad", "limit": "request-size"]) == 1)
        #expect(after.value("swiftlet_guest_fuel_consumed_total", ["component": "bad"]) >= 2_000_000)
        #expect(after.value("swiftlet_guest_fuel_consumed_total", ["component": "hello"]) > 0)

        #expect(after.value("swiftlet_pubsub_operations_total", ["component": "pubsub", "operation": "publish", "outcome": "success"]) == 3)
        #expect(after.value("swiftlet_pubsub_deliveries_total", ["pubsub": "pubsub", "topic": "orders", "outcome": "success"]) == 3)
        #expect(after.value("swiftlet_state_operations_total", ["component": "statestore", "outcome": "success"]) >= 6)
        #expect(after.value("swiftlet_state_operations_total", ["component": "statestore", "operation": "get"]) >= 1)
    }
}
