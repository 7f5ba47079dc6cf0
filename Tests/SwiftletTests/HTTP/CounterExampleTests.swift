import Foundation
import NIOHTTP1
import SwiftletWasmHost
import Testing

/// examples/counter: 50 concurrent increments through both guests, on every state backend.
@Suite("examples/counter")
struct CounterExampleTests {
    /// `nil` is the embedded default (SQLite); the others are the example's component dirs.
    /// One case at a time: the engines share each backend's counter key.
    @Test(.serialized, arguments: Engines.all, [nil, "components-redis", "components-postgres"])
    func fiftyConcurrentIncrementsLoseNothing(engine: EngineKind, components: String?) async throws {
        let example = try ExampleCopy("counter")
        defer { example.remove() }
        try await TestServer.serve(engine: engine, manifestPath: example.manifest, componentsDirectory: components.map(example.path)) {
            (server: TestServer) async throws in
            let before = try await server.request("/count")
            #expect(before.status == 200, "\(before.body)")
            let start = Int(before.body.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let response = try await server.request(index.isMultiple(of: 2) ? "/count" : "/c/count", method: .POST)
                        return (response.status, response.body)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.0 == 200 }, "\(results.filter { $0.0 != 200 })")
            // Every increment saw a distinct value: no two writers won with the same ETag.
            let values = results.compactMap { Int($0.1.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(Set(values) == Set((start + 1)...(start + 50)))
            let after = try await server.request("/c/count")
            #expect(after.body == "\(start + 50)\n")
        }
    }
}
