import Foundation
import SwiftletBlocks
import SwiftletResources
import Testing

/// One suite, every state backend: the same behaviour is required of each.
@Suite("State store conformance")
struct StateStoreConformanceTests {
    static let backends = ["state.sqlite", "state.redis", "state.postgresql"]

    /// A store, keys unique to the test, and cleanup.
    func withStore(_ backend: String, _ body: (any StateStore, String) async throws -> Void) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await Services.state(backend, directory: directory.path)
        let prefix = "t-\(UUID().uuidString.prefix(8))-"
        do {
            try await body(store, prefix)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func expectError(
        _ kind: BuildingBlockError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("expected \(kind)", sourceLocation: sourceLocation)
        } catch {
            #expect((error as? BuildingBlockError)?.kind == kind, "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: backends)
    func getSetDeleteWithETags(backend: String) async throws {
        try await withStore(backend) { store, prefix in
            let key = prefix + "a"
            #expect(try await store.get(key) == nil)
            try await store.set(StateSetRequest(key: key, value: bytes("one")))
            let first = try #require(try await store.get(key))
            #expect(first.value == bytes("one"))

            try await store.set(StateSetRequest(key: key, value: bytes("two"), etag: first.etag))
            let second = try #require(try await store.get(key))
            #expect(second.value == bytes("two"))
            #expect(second.etag != first.etag)

            await expectError(.conflict) { try await store.set(StateSetRequest(key: key, value: bytes("x"), etag: first.etag)) }
            await expectError(.invalidETag) { try await store.set(StateSetRequest(key: key, value: bytes("x"), etag: "not-an-etag")) }
            await expectError(.conflict) { try await store.delete(StateDeleteRequest(key: key, etag: first.etag)) }
            #expect(try await store.get(key)?.value == bytes("two"), "failed writes change nothing")

            try await store.delete(StateDeleteRequest(key: key, etag: second.etag))
            #expect(try await store.get(key) == nil)
            try await store.delete(StateDeleteRequest(key: key))  // deleting what is not there is fine
            await expectError(.conflict) { try await store.set(StateSetRequest(key: key, value: bytes("x"), etag: "1")) }
        }
    }

    @Test(arguments: backends)
    func firstWriteOnlyCreates(backend: String) async throws {
        try await withStore(backend) { store, prefix in
            let key = prefix + "fw"
            try await store.set(StateSetRequest(key: key, value: bytes("first"), concurrency: .firstWrite))
            await expectError(.conflict) {
                try await store.set(StateSetRequest(key: key, value: bytes("second"), concurrency: .firstWrite))
            }
            let item = try #require(try await store.get(key))
            try await store.set(StateSetRequest(key: key, value: bytes("third"), etag: item.etag, concurrency: .firstWrite))
            #expect(try await store.get(key)?.value == bytes("third"))
            try await store.set(StateSetRequest(key: key, value: bytes("fourth"), concurrency: .lastWrite))
            #expect(try await store.get(key)?.value == bytes("fourth"))
        }
    }

    @Test(arguments: backends)
    func bulkGetAndTransactions(backend: String) async throws {
        try await withStore(backend) { store, prefix in
            let (a, b, c) = (prefix + "a", prefix + "b", prefix + "c")
            try await store.set(StateSetRequest(key: a, value: bytes("A")))
            try await store.set(StateSetRequest(key: b, value: bytes("B")))
            let items = try await store.bulkGet([a, b, c])
            #expect(items[a]?.value == bytes("A"))
            #expect(items[b]?.value == bytes("B"))
            #expect(items[c] == nil)

            try await store.transact([
                .upsert(StateSetRequest(key: c, value: bytes("C"))), .delete(StateDeleteRequest(key: a)),
                .upsert(StateSetRequest(key: b, value: bytes("B2"), etag: items[b]?.etag)),
            ])
            #expect(try await store.get(a) == nil)
            #expect(try await store.get(b)?.value == bytes("B2"))
            #expect(try await store.get(c)?.value == bytes("C"))

            // One stale ETag and nothing in the transaction happens.
            await expectError(.conflict) {
                try await store.transact([
                    .upsert(StateSetRequest(key: a, value: bytes("new"))),
                    .upsert(StateSetRequest(key: b, value: bytes("stale"), etag: items[b]?.etag)),
                ])
            }
            #expect(try await store.get(a) == nil)
            #expect(try await store.get(b)?.value == bytes("B2"))
        }
    }

    @Test(arguments: backends)
    func keysExpire(backend: String) async throws {
        try await withStore(backend) { store, prefix in
            // A long TTL keeps the key readable (checked at once, robust to a slow machine);
            // a short one makes it disappear.
            try await store.set(StateSetRequest(key: prefix + "later", value: bytes("still here"), ttlSeconds: 30))
            try await store.set(StateSetRequest(key: prefix + "ttl", value: bytes("soon gone"), ttlSeconds: 1))
            try await store.set(StateSetRequest(key: prefix + "stay", value: bytes("kept")))
            #expect(try await store.get(prefix + "later")?.value == bytes("still here"))
            try await Task.sleep(for: .milliseconds(2500))
            #expect(try await store.get(prefix + "ttl") == nil)
            #expect(try await store.get(prefix + "stay") != nil)
            #expect(try await store.get(prefix + "later") != nil)
            try await store.set(StateSetRequest(key: prefix + "ttl", value: bytes("again"), concurrency: .firstWrite))
        }
    }

    @Test(arguments: backends)
    func concurrentETagIncrementsLoseNothing(backend: String) async throws {
        try await withStore(backend) { store, prefix in
            let key = prefix + "counter"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        while true {
                            let item = try await store.get(key)
                            let next = (item.flatMap { Int(String(decoding: $0.value, as: UTF8.self)) } ?? 0) + 1
                            do {
                                try await store.set(StateSetRequest(
                                    key: key, value: Array(String(next).utf8), etag: item?.etag,
                                    concurrency: .firstWrite))
                                return
                            } catch let error as BuildingBlockError where error.kind == .conflict {
                                continue
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.get(key).map { String(decoding: $0.value, as: UTF8.self) } == "50")
        }
    }

    @Test func namespacesKeepAppsApart() async throws {
        try await withStore("state.sqlite") { store, prefix in
            let one = NamespacedStateStore(store, prefix: "one||")
            let two = NamespacedStateStore(store, prefix: "two||")
            try await one.set(StateSetRequest(key: prefix + "k", value: bytes("1")))
            #expect(try await two.get(prefix + "k") == nil)
            #expect(try await store.get("one||" + prefix + "k")?.value == bytes("1"))
            #expect(try await one.bulkGet([prefix + "k"]).keys.sorted() == [prefix + "k"])
        }
    }
}
