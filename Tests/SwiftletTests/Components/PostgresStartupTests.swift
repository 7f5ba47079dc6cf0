import Foundation
import SwiftletBlocks
import SwiftletResources
import Testing

/// Replicas starting together against a fresh database: every one of them creates (or
/// finds) the state table, whichever wins the race.
@Suite("PostgreSQL start-up")
struct PostgresStartupTests {
    @Test func storesCreatingTheSameNewTableAtOnceAllStart() async throws {
        let table = "race_\(UUID().uuidString.prefix(8).lowercased())"
        let metadata = ["connectionString": Services.postgres, "tableName": table]
        let stores = try await withThrowingTaskGroup(of: (any StateStore).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    guard case .state(let store) = try await Services.make("state.postgresql", metadata: metadata) else {
                        throw TestFailure("state.postgresql is not a state store")
                    }
                    return store
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 8)
        try await stores[0].set(StateSetRequest(key: "k", value: Array("v".utf8)))
        #expect(try await stores[7].get("k")?.value == Array("v".utf8), "they share the one table")
        for store in stores { await store.close() }
    }
}
