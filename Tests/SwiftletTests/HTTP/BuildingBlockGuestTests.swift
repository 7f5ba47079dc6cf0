import Foundation
import Testing

/// A guest using every building block through the ABI, against embedded and local
/// components and a second Swiftlet server as the outside world.
@Suite("Building blocks from guests")
struct BuildingBlockGuestTests {
    static func app(outsideURL: String) throws -> (manifest: String, files: [String: String]) {
        let blocks = try Paths.guest("blocks")
        let manifest = """
            name: blocks
            components:
              blocks:
                source: \(blocks)
                executor: handler
                uses: [envsecrets, filesecrets, config, webhook, pubsub, statestore]
                allowed_outbound_hosts: ["\(outsideURL)"]
                limits: { timeout: 5s }
            triggers:
              http:
                - { route: /blocks/:what, component: blocks }
              pubsub:
                - { pubsub: pubsub, topic: work, route: /blocks/event, dead_letter_topic: work-dlq, max_attempts: 3, retry_delay: 100ms }
                - { pubsub: pubsub, topic: work-dlq, route: /blocks/deadletter }
            """
        let components = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: envsecrets }
            spec: { type: secretstores.local.env, metadata: [ { name: prefix, value: SWIFTLET_TEST_SECRET_ } ] }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: filesecrets }
            spec:
              type: secretstores.local.file
              metadata:
                - { name: secretsFile, value: secrets.json }
                - { name: nestedSeparator, value: ":" }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: config }
            spec: { type: configuration.file, metadata: [ { name: path, value: config.yaml } ] }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: webhook }
            spec: { type: bindings.http, metadata: [ { name: url, value: "\(outsideURL)" } ] }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: pubsub }
            spec: { type: pubsub.sqlite, metadata: [ { name: connectionString, value: pubsub.db } ] }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: statestore }
            spec: { type: state.sqlite, metadata: [ { name: connectionString, value: state.db } ] }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: forbidden }
            spec: { type: state.sqlite, metadata: [ { name: connectionString, value: forbidden.db } ] }
            """
        return (manifest, [
            "components/all.yaml": components,
            "secrets.json": #"{"db": {"password": "s3cret"}, "token": "abc"}"#,
            "config.yaml": "greeting: { value: hello, version: \"7\" }\nplain: 42\n",
        ])
    }

    /// Runs `body` with the blocks app, the hello example serving as the outside world.
    func withApps(_ body: @escaping (TestServer, String) async throws -> Void) async throws {
        setenv("SWIFTLET_TEST_SECRET_api-key", "from-env", 1)
        try await TestServer.serve(manifestPath: Paths.example("hello/swiftlet.yaml")) { (outside: TestServer) async throws in
            let (manifest, files) = try Self.app(outsideURL: outside.baseURL)
            try await TestServer.with(manifest: manifest, files: files, componentsDirectory: "components") {
                (server: TestServer) async throws in
                try await body(server, outside.baseURL)
            }
        }
    }

    @Test func secretsConfigurationAndBindings() async throws {
        try await withApps { (server: TestServer, _: String) async throws in
            #expect(try await server.request("/blocks/secret?store=envsecrets&name=api-key").body == "status=0\nfrom-env")
            #expect(try await server.request("/blocks/secret?store=filesecrets&name=db:password").body == "status=0\ns3cret")
            #expect(try await server.request("/blocks/secret?store=filesecrets&name=missing").body == "status=-2\n")
            #expect(try await server.request("/blocks/config?key=greeting").body == "status=0\nhello\nversion=7")
            #expect(try await server.request("/blocks/config?key=plain").body == "status=0\n42\nversion=")
            let binding = try await server.request("/blocks/binding")
            #expect(binding.body == "status=0\nHello from C, served over WAGI\n")
        }
    }

    @Test func outboundHTTPOnlyToAllowedHosts() async throws {
        try await withApps { (server: TestServer, outside: String) async throws in
            let allowed = try await server.request("/blocks/http?url=\(outside)/swift")
            #expect(allowed.body == "status=200\nHello from Embedded Swift, served by a warm handler instance\n")
            let denied = try await server.request("/blocks/http?url=http://example.com/")
            #expect(denied.body == "status=-6\n")
            #expect(server.logs.all.contains { $0.message.contains("not in allowed_outbound_hosts") })
        }
    }

    @Test func usingAnUnlistedComponentIsDenied() async throws {
        try await withApps { (server: TestServer, _: String) async throws in
            #expect(try await server.request("/blocks/denied").body == "state=-6\npublish=-6\n")
            #expect(server.logs.all.contains { $0.message.contains("not in its 'uses' list") })
        }
    }

    @Test func invocationAndCycles() async throws {
        try await withApps { (server: TestServer, _: String) async throws in
            let other = try await server.request("/blocks/invoke?app=blocks&path=/blocks/denied")
            #expect(other.body == "status=200\nstate=-6\npublish=-6\n", "\(other.body.debugDescription)")
            let unknown = try await server.request("/blocks/invoke?app=nobody&path=/x")
            #expect(unknown.body == "status=-2\n")
            let missingRoute = try await server.request("/blocks/invoke?app=blocks&path=/nowhere")
            #expect(missingRoute.body.hasPrefix("status=404\n"))
            // Each level reports the level below; the innermost one is refused with ELOOP.
            let loop = try await server.request("/blocks/loop")
            #expect(loop.status == 200)
            #expect(loop.body.contains("status=-11"), "\(loop.body)")
        }
    }

    @Test func subscriptionOutcomesRetriesAndDeadLetters() async throws {
        try await withApps { (server: TestServer, _: String) async throws in
            for message in ["plain-1", "retry-twice", "drop-me", "fail-always"] {
                #expect(try await server.request("/blocks/publish?topic=work&data=\(message)").body == "status=0\n")
            }
            func events() -> [String] {
                server.logs.all.map(\.message).filter { $0.hasPrefix("event ") }
            }
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                let seen = events()
                if seen.contains("event dlq drop-me attempt 1"), seen.contains("event dlq fail-always attempt 1"),
                    seen.contains("event work retry-twice attempt 3")
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let seen = events()
            #expect(seen.filter { $0.hasPrefix("event work plain-1") } == ["event work plain-1 attempt 1"])
            #expect(seen.filter { $0.hasPrefix("event work retry-twice") }.count == 3, "\(seen)")
            #expect(!seen.contains { $0.hasPrefix("event dlq retry-twice") })
            #expect(seen.filter { $0.hasPrefix("event work drop-me") }.count == 1, "DROP is not retried")
            #expect(seen.contains("event dlq drop-me attempt 1"))
            #expect(seen.filter { $0.hasPrefix("event work fail-always") }.count == 3, "max_attempts: 3")
            #expect(seen.contains("event dlq fail-always attempt 1"))

            // Deliveries by outcome: two retries each for retry-twice and fail-always, two
            // messages dead-lettered. (Counted after the guest returns: wait for the last.)
            var metrics = try PrometheusText(server.metrics())
            let counted = Date().addingTimeInterval(5)
            while metrics.value("swiftlet_pubsub_deliveries_total", ["topic": "work"]) < 8, Date() < counted {
                try await Task.sleep(for: .milliseconds(50))
                metrics = try PrometheusText(server.metrics())
            }
            #expect(metrics.value("swiftlet_pubsub_deliveries_total", ["topic": "work", "outcome": "retry"]) == 4)
            #expect(metrics.value("swiftlet_pubsub_deliveries_total", ["topic": "work", "outcome": "dead-letter"]) == 2)
            #expect(metrics.value("swiftlet_pubsub_deliveries_total", ["topic": "work", "outcome": "success"]) == 2)
        }
    }
}
