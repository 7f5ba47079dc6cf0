import Foundation
import SwiftletRuntime
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
                - { pubsub: pubsub, topic: raw, route: /blocks/raw }
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

    /// The environment secret, set once per process: setenv while another test starts a
    /// process (Foundation copies the environment) crashed a test run; one call, not one
    /// per test, narrows that window to the first use.
    static let secretInEnvironment: Void = {
        if getenv("SWIFTLET_TEST_SECRET_api-key") == nil { setenv("SWIFTLET_TEST_SECRET_api-key", "from-env", 1) }
    }()

    /// Runs `body` with the blocks app, the hello example serving as the outside world.
    func withApps(dapr: DaprOptions? = nil, _ body: @escaping (TestServer, String) async throws -> Void) async throws {
        _ = Self.secretInEnvironment
        try await TestServer.serve(manifestPath: Paths.example("hello/swiftlet.yaml")) { (outside: TestServer) async throws in
            let (manifest, files) = try Self.app(outsideURL: outside.baseURL)
            try await TestServer.with(manifest: manifest, files: files, componentsDirectory: "components", dapr: dapr) {
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
            let deadline = Date().addingTimeInterval(Timing.bound(30))
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
            let counted = Date().addingTimeInterval(Timing.bound(20))
            while metrics.value("swiftlet_pubsub_deliveries_total", ["topic": "work"]) < 8, Date() < counted {
                try await Task.sleep(for: .milliseconds(50))
                metrics = try PrometheusText(server.metrics())
            }
            #expect(metrics.value("swiftlet_pubsub_deliveries_total", ["topic": "work", "outcome": "retry"]) == 4)
            #expect(metrics.value("swiftlet_pubsub_deliveries_total", ["topic": "work", "outcome": "dead-letter"]) == 2)
            #expect(metrics.value("swiftlet_pubsub_deliveries_total", ["topic": "work", "outcome": "success"]) == 2)
        }
    }

    /// Guests and the Dapr API reach state and pub/sub through one path: the same keys are
    /// accepted and refused, both see each other's writes, both refuse an empty topic, and
    /// both honour `rawPayload`.
    @Test func guestsAndTheDaprAPIAgree() async throws {
        try await withApps(dapr: DaprOptions(httpPort: 0, grpcPort: 0)) { (server: TestServer, _: String) async throws in
            let dapr = server.daprURL + "/v1.0"
            // Keys: a plain one is saved by both; an empty one and one with the separator are
            // refused by both (EINVAL for the guest, ERR_MALFORMED_REQUEST for the API).
            for (key, guestStatus, daprStatus) in [("plain", "0", 204), ("a%7C%7Cb", "-3", 400)] {
                let guest = try await server.request("/blocks/save?key=\(key)&value=from-guest")
                #expect(guest.body == "status=\(guestStatus)\n", "guest saving '\(key)'")
                let literal = key.removingPercentEncoding!
                let body = #"[{"key":"\#(literal)","value":"from-dapr"}]"#
                let api = try await TestServer.send("\(dapr)/state/statestore", method: .POST, body: body)
                #expect(api.status == daprStatus, "Dapr API saving '\(literal)': \(api.body)")
                if daprStatus == 400 { #expect(api.body.contains("ERR_MALFORMED_REQUEST")) }
            }
            let empty = try await server.request("/blocks/save?key=&value=x")
            #expect(empty.body == "status=-3\n")
            let emptyAPI = try await TestServer.send("\(dapr)/state/statestore", method: .POST, body: #"[{"key":"","value":"x"}]"#)
            #expect(emptyAPI.status == 400 && emptyAPI.body.contains("ERR_MALFORMED_REQUEST"))
            // One namespace (the app id): the API's write is what the guest reads, and back.
            #expect(try await server.request("/blocks/load?key=plain").body == "status=0\n\"from-dapr\"")
            _ = try await server.request("/blocks/save?key=plain&value=guest-again")
            #expect(try await TestServer.send("\(dapr)/state/statestore/plain").body == "guest-again")
            #expect(try await server.request("/blocks/load?key=a%7C%7Cb").body == "status=-3\n")

            // An empty topic: EINVAL for the guest, 404 ERR_TOPIC_NAME_EMPTY from the API.
            #expect(try await server.request("/blocks/publish?topic=&data=x").body == "status=-3\n")
            let noTopic = try await TestServer.send("\(dapr)/publish/pubsub/", method: .POST, body: "x")
            #expect(noTopic.status == 404, "\(noTopic.body)")
            // A missing broker: ENOTFOUND for the guest... unless not granted, which is denial.
            let noBroker = try await TestServer.send("\(dapr)/publish/nobroker/t", method: .POST, body: "x")
            #expect(noBroker.status == 404 && noBroker.body.contains("ERR_PUBSUB_NOT_FOUND"))

            // rawPayload: what each path publishes arrives as it was sent, with no envelope.
            #expect(try await server.request("/blocks/publish-raw?topic=raw&data=guest-raw").body == "status=0\n")
            let raw = try await TestServer.send(
                "\(dapr)/publish/pubsub/raw?metadata.rawPayload=true", method: .POST, headers: [("content-type", "text/plain")],
                body: "dapr-raw")
            #expect(raw.status == 204, "\(raw.body)")
            let deadline = Date().addingTimeInterval(Timing.bound(30))
            func bodies() -> Set<String> {
                Set(server.logs.all.map(\.message).filter { $0.hasPrefix("raw body ") })
            }
            while bodies().count < 2, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(bodies() == ["raw body guest-raw", "raw body dapr-raw"])
        }
    }
}
