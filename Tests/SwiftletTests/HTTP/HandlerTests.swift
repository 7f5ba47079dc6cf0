import AsyncHTTPClient
import NIOCore
import SwiftletWasmHost
import Testing

@Suite("Handler executor")
struct HandlerTests {
    static func manifest() throws -> String {
        let misbehave = try Paths.guest("misbehave")
        return """
            name: handlers
            components:
              echo: { source: \(try Paths.guest("handler-echo")), executor: handler }
              swift: { source: \(try Paths.guest("swift-echo")), executor: handler }
              warm: { source: \(misbehave), executor: handler, pool: { prewarm: 1 } }
              fresh: { source: \(misbehave), executor: handler, isolation: fresh, pool: { prewarm: 2 } }
              recycled: { source: \(misbehave), executor: handler, pool: { max_requests: 2, prewarm: 1 }, limits: { max_concurrency: 1 } }
              lean: { source: \(misbehave), executor: handler, pool: { recycle_memory: 2Mi, prewarm: 1 }, limits: { max_concurrency: 1 } }
              streaming: { source: \(misbehave), executor: handler, limits: { max_response_body: 256Ki } }
            triggers:
              http:
                - { route: /echo/:id/..., component: echo }
                - { route: /swift/:name, component: swift }
                - { route: /warm/:what, component: warm }
                - { route: /fresh/:what, component: fresh }
                - { route: /recycled/:what, component: recycled }
                - { route: /lean/:what, component: lean }
                - { route: /streaming/:what, component: streaming }
            """
    }

    @Test(arguments: Engines.all) func cHandlerSeesTheWholeRequest(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let body = String(repeating: "abcdefghij", count: 100)
            let response = try await server.request(
                "/echo/7/rest/of/path?q=search&n=2", method: .PUT,
                headers: [("x-status", "201"), ("x-trace", "t1")], body: body)
            #expect(response.status == 201)
            #expect(response.header("x-echo") == "handler")
            #expect(response.body.contains("method=PUT\n"))
            #expect(response.body.contains("path=/echo/7/rest/of/path\n"))
            #expect(response.body.contains("query=q=search&n=2\n"))
            #expect(response.body.contains("param id=7\n"))
            #expect(response.body.contains("param ...=/rest/of/path\n"))
            #expect(response.body.contains("missing-header=notfound\n"))
            #expect(response.body.contains("x-trace: t1\n"))
            #expect(response.body.contains("body=\(body)\nbody-length-ok\n"))
        }
    }

    @Test(arguments: Engines.all) func embeddedSwiftLibraryRoundTrips(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let response = try await server.request(
                "/swift/ada?lang=swift", method: .POST, headers: [("user-agent", "swiftlet-tests")], body: "payload")
            #expect(response.status == 200)
            #expect(response.header("x-greeting") == "hello ada")
            #expect(response.body == "method=POST\npath=/swift/ada\nquery=lang=swift\nagent=swiftlet-tests\nbody-bytes=7\npayload")
        }
    }

    @Test(arguments: Engines.all) func guestLogsCarryTheRequestID(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            _ = try await server.request("/echo/1/x", headers: [("x-request-id", "log-check-7")])
            let record = server.logs.all.first { $0.message == "echo handled a request" }
            #expect(record?.metadata["request"] == "log-check-7")
            #expect(record?.level == .info)
        }
    }

    @Test(arguments: Engines.all) func warmInstancesKeepStateFreshOnesDoNot(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            var warm: [String] = []
            var fresh: [String] = []
            for _ in 0..<3 {
                warm.append(try await server.request("/warm/counter").body)
                fresh.append(try await server.request("/fresh/counter").body)
            }
            #expect(warm == ["1\n", "2\n", "3\n"])
            #expect(fresh == ["1\n", "1\n", "1\n"])
        }
    }

    @Test(arguments: Engines.all) func instancesAreRecycledAfterMaxRequests(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            var seen: [String] = []
            for _ in 0..<5 { seen.append(try await server.request("/recycled/counter").body) }
            #expect(seen == ["1\n", "2\n", "1\n", "2\n", "1\n"])
        }
    }

    @Test(arguments: Engines.all) func instancesThatGrewPastRecycleMemoryAreReplaced(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            #expect(try await server.request("/lean/counter").body == "1\n")
            #expect(try await server.request("/lean/counter").body == "2\n", "a small instance is kept")
            #expect(try await server.request("/lean/hog").body == "1\n")
            #expect(try await server.request("/lean/hog").body == "1\n", "an instance past 2 MiB is replaced")
        }
    }

    @Test(arguments: Engines.all) func aTrapRecyclesTheInstance(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            #expect(try await server.request("/warm/counter").body == "1\n")
            #expect(try await server.request("/warm/trap").status == 500)
            #expect(try await server.request("/warm/counter").body == "1\n", "a trapped instance is not reused")
        }
    }

    @Test(arguments: Engines.all) func flushedResponsesStream(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let response = try await server.request("/streaming/stream")
            #expect(response.status == 200)
            #expect(response.body == "first\nsecond\nthird\n")
            #expect(response.header("content-length") == nil, "a streamed body is chunked")

            // The head and the flushed chunk arrive while the guest is still running (it
            // pauses 1.5 s before its last write): a host that buffered would send them
            // together with the end.
            let slow = try await TestClient.shared.execute(
                HTTPClientRequest(url: server.baseURL + "/streaming/stream-slow"), timeout: .seconds(30))
            #expect(slow.status == .ok)
            var chunks = slow.body.makeAsyncIterator()
            let first = try #require(try await chunks.next())
            let headAndFirst = ContinuousClock.now
            #expect(String(buffer: first) == "early\n")
            var rest = ""
            while let chunk = try await chunks.next() { rest += String(buffer: chunk) }
            #expect(rest == "late\n")
            #expect(ContinuousClock.now - headAndFirst > .milliseconds(1000), "the first chunk came before the guest finished")
        }
    }

    @Test(arguments: Engines.all) func aStreamThatOutgrowsItsLimitIsCut(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            var request = HTTPClientRequest(url: server.baseURL + "/streaming/stream-giant")
            request.method = .GET
            let response = try await TestClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok, "the head was committed before the limit was hit")
            await #expect(throws: (any Error).self) {
                _ = try await response.body.collect(upTo: 64 << 20)
            }
            #expect(try await server.request("/streaming/ok").body == "fine\n")
        }
    }
}
