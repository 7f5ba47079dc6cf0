import SQLiteNIO
import SwiftletBlocks
import SwiftletResources

/// `state.sqlite`: the embedded default state store. Versions are integers; an ETag is the
/// decimal version. Expired keys read as absent and are swept on write.
final class SQLiteStateStore: StateStore {
    let file: SQLiteFile
    let table: String
    let name: String

    init(file: SQLiteFile, table: String, name: String) async throws {
        self.file = file
        self.table = table
        self.name = name
        _ = try await file.connection.query(
            "CREATE TABLE IF NOT EXISTS \(table) (key TEXT PRIMARY KEY, value BLOB NOT NULL, version INTEGER NOT NULL, expires REAL)",
            [])
    }

    func get(_ key: String) async throws(BuildingBlockError) -> StateItem? {
        try await run {
            try await Self.read(key, table: self.table, connection: $0)
        }
    }

    func bulkGet(_ keys: [String]) async throws(BuildingBlockError) -> [String: StateItem] {
        try await run { connection in
            var items: [String: StateItem] = [:]
            for key in keys {
                if let item = try await Self.read(key, table: self.table, connection: connection) { items[key] = item }
            }
            return items
        }
    }

    func set(_ request: StateSetRequest) async throws(BuildingBlockError) {
        try await run(transaction: false) { try await self.apply(.upsert(request), $0) }
    }

    func delete(_ request: StateDeleteRequest) async throws(BuildingBlockError) {
        try await run(transaction: false) { try await self.apply(.delete(request), $0) }
    }

    func transact(_ operations: [StateOperation]) async throws(BuildingBlockError) {
        try await run(transaction: true) { connection in
            for operation in operations { try await self.apply(operation, connection) }
        }
    }

    func close() async {
        await file.close()
    }

    static func read(_ key: String, table: String, connection: SQLiteConnection) async throws -> StateItem? {
        let rows = try await connection.query(
            "SELECT value, version FROM \(table) WHERE key = ? AND (expires IS NULL OR expires > ?)",
            [.text(key), .float(epochSeconds())])
        guard let row = rows.first, let value = row.column("value")?.bytes, let version = row.column("version")?.integer else {
            return nil
        }
        return StateItem(value: value, etag: String(version))
    }

    /// One write, as a single conditional statement whose RETURNING row says whether it
    /// happened. Expired rows count as absent.
    func apply(_ operation: StateOperation, _ connection: SQLiteConnection) async throws {
        let now = epochSeconds()
        switch operation {
        case .upsert(let request):
            let expires: SQLiteData = request.ttlSeconds.map { .float(now + Double($0)) } ?? .null
            let rows: [SQLiteRow]
            if let etag = request.etag {
                let version = try StateVersion.parse(etag)
                rows = try await connection.query(
                    "UPDATE \(table) SET value = ?, version = version + 1, expires = ? WHERE key = ? AND version = ? AND (expires IS NULL OR expires > ?) RETURNING version",
                    [request.value.sqliteBlob, expires, .text(request.key), .integer(SQLiteInt64(version)), .float(now)])
            } else if request.concurrency == .firstWrite {
                rows = try await connection.query(
                    "INSERT INTO \(table) (key, value, version, expires) VALUES (?, ?, 1, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = version + 1, expires = excluded.expires WHERE expires IS NOT NULL AND expires <= ? RETURNING version",
                    [.text(request.key), request.value.sqliteBlob, expires, .float(now)])
            } else {
                rows = try await connection.query(
                    "INSERT INTO \(table) (key, value, version, expires) VALUES (?, ?, 1, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = version + 1, expires = excluded.expires RETURNING version",
                    [.text(request.key), request.value.sqliteBlob, expires])
            }
            if rows.isEmpty { throw StateVersion.conflict(request.key) }
        case .delete(let request):
            if let etag = request.etag {
                let version = try StateVersion.parse(etag)
                let rows = try await connection.query(
                    "DELETE FROM \(table) WHERE key = ? AND version = ? AND (expires IS NULL OR expires > ?) RETURNING key",
                    [.text(request.key), .integer(SQLiteInt64(version)), .float(now)])
                if rows.isEmpty { throw StateVersion.conflict(request.key) }
            } else {
                _ = try await connection.query("DELETE FROM \(table) WHERE key = ?", [.text(request.key)])
            }
        }
    }

    /// Runs `body` with the connection, mapping SQLite failures to `unavailable`.
    private func run<T: Sendable>(transaction: Bool = false, _ body: (SQLiteConnection) async throws -> T)
        async throws(BuildingBlockError) -> T
    {
        do {
            return transaction ? try await file.transaction(body) : try await file.exclusive(body)
        } catch let error as BuildingBlockError {
            throw error
        } catch {
            throw BuildingBlockError.unavailable(name, error)
        }
    }
}
