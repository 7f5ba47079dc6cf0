import Foundation
import Logging
import NIOCore
import PostgresNIO
import SwiftletBlocks
import SwiftletResources

/// `state.postgresql` on postgres-nio's pooled client. Versions are integers as in every
/// Swiftlet store; conditional writes are single statements with RETURNING, transactions
/// are database transactions.
final class PostgresStateStore: StateStore {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let table: String
    let name: String
    let logger: Logger

    init(client: PostgresClient, runner: Task<Void, Never>, table: String, name: String, logger: Logger) {
        self.client = client
        self.runner = runner
        self.table = table
        self.name = name
        self.logger = logger
    }

    /// SQLSTATEs of a CREATE TABLE IF NOT EXISTS that lost a race with another one.
    static let lostCreationRace: Set<String> = ["23505", "42710", "42P07"]

    /// Creates the table if needed; also the start-up check that the database is reachable.
    func prepare() async throws {
        let create = PostgresQuery(
            unsafeSQL:
                "CREATE TABLE IF NOT EXISTS \(table) (key TEXT PRIMARY KEY, value BYTEA NOT NULL, version BIGINT NOT NULL, expires DOUBLE PRECISION)"
        )
        do {
            try await client.query(create, logger: logger)
        } catch let error as PSQLError where Self.lostCreationRace.contains(error.serverInfo?[.sqlState] ?? "") {
            // Another replica (or store) created the table at the same moment: IF NOT EXISTS
            // is not atomic, and the loser fails on the catalog's unique index (23505) or on
            // the table's row type (42710) or name (42P07). The table exists now.
            try await client.query(create, logger: logger)
        }
    }

    func get(_ key: String) async throws(BuildingBlockError) -> StateItem? {
        try await call {
            let rows = try await self.client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT value, version FROM \(self.table) WHERE key = $1 AND (expires IS NULL OR expires > $2)",
                    binds: Self.binds(key, Date().timeIntervalSince1970)), logger: self.logger
            ).collect()
            guard let row = rows.first else { return nil }
            let (value, version) = try row.decode((ByteBuffer, Int64).self)
            return StateItem(value: Array(buffer: value), etag: String(version))
        }
    }

    func bulkGet(_ keys: [String]) async throws(BuildingBlockError) -> [String: StateItem] {
        guard !keys.isEmpty else { return [:] }
        return try await call {
            let rows = try await self.client.query(
                PostgresQuery(
                    unsafeSQL:
                        "SELECT key, value, version FROM \(self.table) WHERE key = ANY($1) AND (expires IS NULL OR expires > $2)",
                    binds: Self.binds(keys, Date().timeIntervalSince1970)), logger: self.logger
            ).collect()
            var items: [String: StateItem] = [:]
            for row in rows {
                let (key, value, version) = try row.decode((String, ByteBuffer, Int64).self)
                items[key] = StateItem(value: Array(buffer: value), etag: String(version))
            }
            return items
        }
    }

    func set(_ request: StateSetRequest) async throws(BuildingBlockError) {
        let statement = try statement(for: .upsert(request))
        try await call {
            let rows = try await self.client.query(statement, logger: self.logger).collect()
            if rows.isEmpty { throw StateVersion.conflict(request.key) }
        }
    }

    func delete(_ request: StateDeleteRequest) async throws(BuildingBlockError) {
        let statement = try statement(for: .delete(request))
        try await call {
            let rows = try await self.client.query(statement, logger: self.logger).collect()
            if request.etag != nil, rows.isEmpty { throw StateVersion.conflict(request.key) }
        }
    }

    func transact(_ operations: [StateOperation]) async throws(BuildingBlockError) {
        var statements: [(PostgresQuery, StateOperation)] = []
        for operation in operations { statements.append((try statement(for: operation), operation)) }
        try await call {
            try await self.client.withTransaction(logger: self.logger) { connection in
                for (statement, operation) in statements {
                    let rows = try await connection.query(statement, logger: self.logger).collect()
                    let conditional: Bool
                    switch operation {
                    case .upsert: conditional = true
                    case .delete(let request): conditional = request.etag != nil
                    }
                    if conditional, rows.isEmpty { throw StateVersion.conflict(operation.key) }
                }
            }
        }
    }

    func close() async {
        runner.cancel()
    }

    /// The single statement for a write; an empty RETURNING result means its condition failed.
    private func statement(for operation: StateOperation) throws(BuildingBlockError) -> PostgresQuery {
        let now = Date().timeIntervalSince1970
        switch operation {
        case .upsert(let request):
            let expires: Double? = request.ttlSeconds.map { now + Double($0) }
            let value = ByteBuffer(bytes: request.value)
            if let etag = request.etag {
                let version = try StateVersion.parse(etag)
                return PostgresQuery(
                    unsafeSQL:
                        "UPDATE \(table) SET value = $1, version = version + 1, expires = $2 WHERE key = $3 AND version = $4 AND (expires IS NULL OR expires > $5) RETURNING version",
                    binds: Self.binds(value, expires, request.key, version, now))
            }
            let insert = "INSERT INTO \(table) (key, value, version, expires) VALUES ($1, $2, 1, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = \(table).version + 1, expires = EXCLUDED.expires"
            if request.concurrency == .firstWrite {
                // Only an expired row may be replaced.
                return PostgresQuery(
                    unsafeSQL: insert + " WHERE \(table).expires IS NOT NULL AND \(table).expires <= $4 RETURNING version",
                    binds: Self.binds(request.key, value, expires, now))
            }
            return PostgresQuery(unsafeSQL: insert + " RETURNING version", binds: Self.binds(request.key, value, expires))
        case .delete(let request):
            if let etag = request.etag {
                let version = try StateVersion.parse(etag)
                return PostgresQuery(
                    unsafeSQL:
                        "DELETE FROM \(table) WHERE key = $1 AND version = $2 AND (expires IS NULL OR expires > $3) RETURNING key",
                    binds: Self.binds(request.key, version, now))
            }
            return PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE key = $1 RETURNING key", binds: Self.binds(request.key))
        }
    }

    static func binds(_ values: (any PostgresEncodable)?...) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values {
            if let value {
                try? bindings.append(value)
            } else {
                bindings.appendNull()
            }
        }
        return bindings
    }

    private func call<T: Sendable>(_ body: () async throws -> T) async throws(BuildingBlockError) -> T {
        do {
            return try await body()
        } catch let error as BuildingBlockError {
            throw error
        } catch let error as PostgresTransactionError where error.closureError is BuildingBlockError {
            throw error.closureError as! BuildingBlockError
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): postgresql: \(String(reflecting: error))")
        }
    }
}
