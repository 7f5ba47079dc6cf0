import Foundation
import SwiftletBlocks
import SwiftletResources

/// `state.redis`: each key is a hash with `data` and `version`, the layout Dapr's own Redis
/// store uses; ETag checks and transactions run as Lua scripts, atomically.
final class RedisStateStore: StateStore {
    let client: RedisClient
    let name: String
    let defaultTTL: Int?

    init(client: RedisClient, name: String, defaultTTL: Int?) {
        self.client = client
        self.name = name
        self.defaultTTL = defaultTTL
    }

    func get(_ key: String) async throws(BuildingBlockError) -> StateItem? {
        let reply = try await call { try await self.client.send(["HMGET", key, "data", "version"]) }
        return Self.item(reply)
    }

    func bulkGet(_ keys: [String]) async throws(BuildingBlockError) -> [String: StateItem] {
        // The connection is pipelined, so concurrent reads cost one round trip, not n.
        try await call {
            try await withThrowingTaskGroup(of: (String, StateItem?).self) { group in
                for key in keys {
                    group.addTask { (key, Self.item(try await self.client.send(["HMGET", key, "data", "version"]))) }
                }
                var items: [String: StateItem] = [:]
                for try await (key, item) in group { items[key] = item }
                return items
            }
        }
    }

    func set(_ request: StateSetRequest) async throws(BuildingBlockError) {
        let arguments = try setArguments(request)
        _ = try await call { try await RedisScript.set.run(self.client, keys: [request.key], arguments: arguments) }
    }

    func delete(_ request: StateDeleteRequest) async throws(BuildingBlockError) {
        if let etag = request.etag { _ = try StateVersion.parse(etag) }
        _ = try await call {
            try await RedisScript.delete.run(self.client, keys: [request.key], arguments: [Array((request.etag ?? "").utf8)])
        }
    }

    func transact(_ operations: [StateOperation]) async throws(BuildingBlockError) {
        guard !operations.isEmpty else { return }
        var keys: [String] = []
        var arguments: [[UInt8]] = []
        for operation in operations {
            keys.append(operation.key)
            switch operation {
            case .upsert(let request):
                arguments += [Array("set".utf8)] + (try setArguments(request))
            case .delete(let request):
                if let etag = request.etag { _ = try StateVersion.parse(etag) }
                arguments += [Array("del".utf8), [], Array((request.etag ?? "").utf8), [], []]
            }
        }
        _ = try await call { try await RedisScript.transaction.run(self.client, keys: keys, arguments: arguments) }
    }

    func close() async {
        await client.close()
    }

    /// value, etag, first-write flag, ttl — the order the scripts expect.
    private func setArguments(_ request: StateSetRequest) throws(BuildingBlockError) -> [[UInt8]] {
        if let etag = request.etag { _ = try StateVersion.parse(etag) }
        let ttl = request.ttlSeconds ?? defaultTTL
        return [
            request.value, Array((request.etag ?? "").utf8), Array((request.concurrency == .firstWrite ? "1" : "0").utf8),
            Array((ttl.map { $0 > 0 ? String($0) : "" } ?? "").utf8),
        ]
    }

    static func item(_ reply: RESPValue) -> StateItem? {
        guard let fields = reply.elements, fields.count == 2, let data = fields[0].bytes, let version = fields[1].string else {
            return nil
        }
        return StateItem(value: data, etag: version)
    }

    private func call<T: Sendable>(_ body: () async throws -> T) async throws(BuildingBlockError) -> T {
        do {
            return try await body()
        } catch let error as BuildingBlockError {
            throw error
        } catch RedisError.server(let message) where message.contains("ETAG_MISMATCH") {
            // Redis may prefix script errors with "ERR ".
            let key = message.components(separatedBy: "ETAG_MISMATCH").last?.trimmingCharacters(in: .whitespaces) ?? ""
            throw BuildingBlockError(.conflict, "possible etag mismatch" + (key.isEmpty ? "" : " on key '\(key)'"))
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): redis: \(error)")
        }
    }
}
