import Foundation
import NIOHTTP1
import SwiftletRuntime
import SwiftletWasmHost
import Testing

/// The Dapr HTTP API's status codes and error bodies, as Dapr answers them, against the
/// embedded default components (state.sqlite `statestore`, pubsub.sqlite `pubsub`).
@Suite struct DaprHTTPAPITests {
    static let manifest = """
        name: plain
        components:
          echo: { source: \(try! Paths.guest("handler-echo")), executor: handler }
        triggers:
          http:
            - { route: /echo/..., component: echo }
        """

    func withSidecar(token: String? = nil, _ body: (TestServer) async throws -> Void) async throws {
        try await TestServer.with(manifest: Self.manifest, dapr: DaprOptions(httpPort: 0, grpcPort: 0, apiToken: token)) {
            try await body($0)
        }
    }

    /// `{"errorCode": ..., "message": ...}` from an error response.
    func errorCode(_ response: TestResponse) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        #expect(object?["message"] is String, "no message in \(response.body)")
        return object?["errorCode"] as? String
    }

    func state(_ server: TestServer, _ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil)
        async throws -> TestResponse
    {
        try await TestServer.send(server.daprURL + "/v1.0/state/statestore" + path, method: method, headers: headers, body: body)
    }

    @Test(arguments: Engines.all) func metadataNamesEachComponentsEngine(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: Self.manifest, dapr: DaprOptions(httpPort: 0, grpcPort: 0)) { server in
            let metadata = try await TestServer.send(server.daprURL + "/v1.0/metadata")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(metadata.body.utf8)) as? [String: Any])
            let extended = try #require(body["extended"] as? [String: String])
            #expect(extended["swiftlet.engine.echo"] == engine.rawValue)
            #expect(extended["daprRuntimeVersion"] != nil)
        }
    }

    @Test func missingKeyIs204WithAnEmptyBody() async throws {
        try await withSidecar { server in
            let response = try await state(server, "/never-saved")
            #expect(response.status == 204)
            #expect(response.body.isEmpty)
        }
    }

    @Test func savedValueComesBackWithItsETag() async throws {
        try await withSidecar { server in
            let saved = try await state(server, "", method: .POST, body: #"[{"key":"k","value":{"n":1}}]"#)
            #expect(saved.status == 204)
            let read = try await state(server, "/k")
            #expect(read.status == 200)
            #expect(read.body == #"{"n":1}"#)
            #expect(read.header("etag")?.isEmpty == false)
        }
    }

    @Test func malformedETagIs400AndMismatchIs409() async throws {
        try await withSidecar { server in
            _ = try await state(server, "", method: .POST, body: #"[{"key":"k","value":"v1"}]"#)
            let etag = try #require(try await state(server, "/k").header("etag"))

            let malformed = try await state(server, "", method: .POST, body: #"[{"key":"k","value":"v2","etag":"not-a-version"}]"#)
            #expect(malformed.status == 400)
            #expect(errorCode(malformed) == "ERR_STATE_SAVE")

            let stale = "\(Int(etag)! + 7)"
            let mismatch = try await state(server, "", method: .POST, body: #"[{"key":"k","value":"v2","etag":"\#(stale)"}]"#)
            #expect(mismatch.status == 409)
            #expect(errorCode(mismatch) == "ERR_STATE_SAVE")

            let deleteStale = try await state(server, "/k", method: .DELETE, headers: [("If-Match", stale)])
            #expect(deleteStale.status == 409)
            #expect(errorCode(deleteStale) == "ERR_STATE_DELETE")
            #expect(try await state(server, "/k").body == #""v1""#, "a refused write must lose nothing")

            let matching = try await state(server, "", method: .POST, body: #"[{"key":"k","value":"v2","etag":"\#(etag)"}]"#)
            #expect(matching.status == 204)
            #expect(try await state(server, "/k", method: .DELETE, headers: [("If-Match", etag)]).status == 409, "the etag moved on")

            // The refusals are counted per component by outcome.
            let metrics = try PrometheusText(server.metrics())
            #expect(metrics.value("swiftlet_state_operations_total", ["component": "statestore", "outcome": "conflict"]) == 3)
            #expect(metrics.has("swiftlet_state_operations_total", ["component": "statestore", "operation": "set", "outcome": "invalidETag"]))
        }
    }

    @Test func unknownStoreIs400WithErrorCode() async throws {
        try await withSidecar { server in
            let response = try await TestServer.send(server.daprURL + "/v1.0/state/nosuchstore/k")
            #expect(response.status == 400)
            #expect(errorCode(response) == "ERR_STATE_STORE_NOT_FOUND")
            #expect(response.header("content-type") == "application/json")
        }
    }

    @Test func malformedBodiesAre400() async throws {
        try await withSidecar { server in
            let notJSON = try await state(server, "", method: .POST, body: "{nope")
            #expect(notJSON.status == 400)
            #expect(errorCode(notJSON) == "ERR_MALFORMED_REQUEST")
            let unknownOperation = try await state(
                server, "/transaction", method: .POST, body: #"{"operations":[{"operation":"merge","request":{"key":"a"}}]}"#)
            #expect(unknownOperation.status == 400)
            #expect(errorCode(unknownOperation) == "ERR_NOT_SUPPORTED_STATE_OPERATION")
        }
    }

    @Test func transactionAndBulkGet() async throws {
        try await withSidecar { server in
            let transaction = try await state(
                server, "/transaction", method: .POST,
                body: #"{"operations":[{"operation":"upsert","request":{"key":"a","value":1}},{"operation":"upsert","request":{"key":"b","value":"two"}},{"operation":"delete","request":{"key":"c"}}]}"#)
            #expect(transaction.status == 204)
            let bulk = try await state(server, "/bulk", method: .POST, body: #"{"keys":["a","b","missing"]}"#)
            #expect(bulk.status == 200)
            let items = try #require(try JSONSerialization.jsonObject(with: Data(bulk.body.utf8)) as? [[String: Any]])
            let byKey = Dictionary(uniqueKeysWithValues: items.map { ($0["key"] as! String, $0) })
            #expect(byKey["a"]?["data"] as? Int == 1)
            #expect(byKey["b"]?["data"] as? String == "two")
            #expect(byKey["a"]?["etag"] is String)
            #expect(byKey["missing"] != nil && byKey["missing"]?["data"] == nil)
        }
    }

    @Test func publishToUnknownPubSubIs404() async throws {
        try await withSidecar { server in
            let response = try await TestServer.send(server.daprURL + "/v1.0/publish/nosuch/orders", method: .POST, body: "{}")
            #expect(response.status == 404)
            #expect(errorCode(response) == "ERR_PUBSUB_NOT_FOUND")
            let published = try await TestServer.send(
                server.daprURL + "/v1.0/publish/pubsub/orders", method: .POST, headers: [("content-type", "application/json")], body: "{}")
            #expect(published.status == 204)
        }
    }

    @Test func invokePassesMethodStatusAndBodyThrough() async throws {
        try await withSidecar { server in
            let response = try await TestServer.send(
                server.daprURL + "/v1.0/invoke/plain/method/echo/some/path?x=1", method: .PUT, body: "payload")
            #expect(response.status == 200)
            #expect(response.body.contains("method=PUT"), "\(response.body)")
            #expect(response.body.contains("path=/echo/some/path"), "\(response.body)")
            #expect(response.body.contains("payload"), "\(response.body)")
            let teapot = try await TestServer.send(server.daprURL + "/v1.0/invoke/plain/method/echo/x", headers: [("x-status", "418")])
            #expect(teapot.status == 418)
            let missing = try await TestServer.send(server.daprURL + "/v1.0/invoke/plain/method/nowhere")
            #expect(missing.status == 404, "the app's own status passes through")
            let unknownApp = try await TestServer.send(server.daprURL + "/v1.0/invoke/ghost/method/x")
            #expect(unknownApp.status == 500)
            #expect(errorCode(unknownApp) == "ERR_DIRECT_INVOKE")
        }
    }

    @Test func apiTokenGuardsEveryCallButHealth() async throws {
        try await withSidecar(token: "s3cret") { server in
            let refused = try await state(server, "/k")
            #expect(refused.status == 401)
            #expect(errorCode(refused) == "ERR_UNAUTHORIZED")
            #expect(try await state(server, "/k", headers: [("dapr-api-token", "wrong")]).status == 401)
            #expect(try await state(server, "/k", headers: [("dapr-api-token", "s3cret")]).status == 204)
            #expect(try await TestServer.send(server.daprURL + "/v1.0/healthz").status == 204)
            #expect(try await TestServer.send(server.daprURL + "/v1.0/healthz/outbound").status == 204)
        }
    }

    @Test func appChannelForwardsInvocationsWithTheAppToken() async throws {
        // The "ordinary app" is a plain HTTP server (another Swiftlet without Dapr): it has no
        // /dapr/subscribe, so the channel has nothing to run, and the sidecar must stay up.
        try await TestServer.with(manifest: Self.manifest) { app in
            let appPort = Int(app.baseURL.split(separator: ":").last!)!
            let options = DaprOptions(httpPort: 0, grpcPort: 0, appID: "other", appPort: appPort, appToken: "app-secret")
            try await TestServer.with(manifest: Self.manifest, dapr: options) { server in
                // The channel has reached the app and asked for its subscriptions (it has
                // none): the sidecar must have survived that before it is asked to invoke.
                let connected = "app other connected on port \(appPort): 0 subscriptions"
                let asked = ContinuousClock.now + .seconds(15)
                while ContinuousClock.now < asked, !server.logs.all.contains(where: { $0.message.contains(connected) }) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(server.logs.all.contains { $0.message.contains(connected) }, "\(server.logs.all.map(\.message))")
                let response = try await TestServer.send(server.daprURL + "/v1.0/invoke/other/method/echo/via-channel")
                #expect(response.status == 200)
                #expect(response.body.contains("path=/echo/via-channel"), "\(response.body)")
                #expect(response.body.contains("dapr-api-token: app-secret"), "\(response.body)")
                #expect(try await server.request("/echo/still-up").status == 200)
            }
        }
    }

    @Test func declarativeSubscriptionScopedToTheAppIDIsDeliveredToTheApp() async throws {
        let subscriberManifest = """
            name: subscriber
            components:
              blocks: { source: \(try Paths.guest("blocks")), executor: handler }
            triggers:
              http:
                - { route: /blocks/:what, component: blocks }
            """
        let components = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: pubsub }
            spec:
              type: pubsub.sqlite
              version: v1
              metadata:
                - { name: connectionString, value: "events.db" }
            ---
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata: { name: work-for-other }
            spec: { pubsubname: pubsub, topic: work, routes: { default: /blocks/event } }
            scopes: [other]
            """
        try await TestServer.with(manifest: subscriberManifest) { app in
            let appPort = Int(app.baseURL.split(separator: ":").last!)!
            let options = DaprOptions(httpPort: 0, grpcPort: 0, appID: "other", appPort: appPort)
            try await TestServer.with(
                manifest: Self.manifest, files: ["components/pubsub.yaml": components], componentsDirectory: "components", dapr: options
            ) { server in
                let published = try await TestServer.send(
                    server.daprURL + "/v1.0/publish/pubsub/work", method: .POST, headers: [("content-type", "application/json")],
                    body: #""for-the-app""#)
                #expect(published.status == 204)
                let deadline = ContinuousClock.now + .seconds(15)
                while ContinuousClock.now < deadline, !app.logs.all.contains(where: { $0.message == "event work for-the-app attempt 1" }) {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(app.logs.all.contains { $0.message == "event work for-the-app attempt 1" }, "\(app.logs.all.map(\.message))")
                let metadata = try await TestServer.send(server.daprURL + "/v1.0/metadata")
                #expect(metadata.body.contains(#""topic":"work""#), "\(metadata.body)")
            }
        }
    }
}
