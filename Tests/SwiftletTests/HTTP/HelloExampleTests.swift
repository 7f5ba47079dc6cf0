import Foundation
import SwiftletWasmHost
import Testing

@Suite("examples/hello over HTTP")
struct HelloExampleTests {
    static let manifest: String = {
        let text = (try? String(contentsOfFile: Paths.example("hello/swiftlet.yaml"), encoding: .utf8)) ?? ""
        // Same app, modules referenced where they live in the repository.
        return text
            .replacingOccurrences(of: "source: hello-c.wasm", with: "source: \(Paths.example("hello/hello-c.wasm"))")
            .replacingOccurrences(of: "source: hello-swift.wasm", with: "source: \(Paths.example("hello/hello-swift.wasm"))")
    }()

    @Test(arguments: Engines.all) func servesBothGuestsAndHealth(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: Self.manifest) { (server: TestServer) async throws in
            let c = try await server.request("/")
            #expect(c.status == 200)
            #expect(c.body == "Hello from C, served over WAGI\n")
            #expect(c.header("content-type") == "text/plain; charset=utf-8")
            #expect(c.header("x-request-id") != nil)
            let swift = try await server.request("/swift")
            #expect(swift.status == 200)
            #expect(swift.body == "Hello from Embedded Swift, served by a warm handler instance\n")
            let health = try await server.request("/.well-known/swiftlet/health")
            #expect(health.status == 200)
            #expect(health.body.contains("ok"))
            let missing = try await server.request("/nope")
            #expect(missing.status == 404)
        }
    }

    @Test(arguments: Engines.all) func twoHundredConcurrentRequests(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: Self.manifest) { (server: TestServer) async throws in
            let results = try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let path = index.isMultiple(of: 2) ? "/" : "/swift"
                        let response = try await server.request(path)
                        return (index, response.status, response.body)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 200)
            for (index, status, body) in results {
                #expect(status == 200)
                #expect(body.hasPrefix(index.isMultiple(of: 2) ? "Hello from C" : "Hello from Embedded Swift"))
            }
        }
    }

    @Test(arguments: Engines.all) func requestIDIsPropagated(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: Self.manifest) { (server: TestServer) async throws in
            let response = try await server.request("/swift", headers: [("x-request-id", "trace-me-42")])
            #expect(response.header("x-request-id") == "trace-me-42")
        }
    }
}
