import SwiftletCore
import Foundation
import NIOCore
import SQLiteNIO
import SwiftletBlocks
import SwiftletResources

/// One SQLite file with serialized access: SQLite has a single writer anyway, and a
/// transaction needs the connection to itself across several statements.
final class SQLiteFile: Sendable {
    let connection: SQLiteConnection
    let lock = AsyncLock()
    let path: String

    private init(connection: SQLiteConnection, path: String) {
        self.connection = connection
        self.path = path
    }

    /// Opens (creating) `path`, or an in-memory database for `:memory:`.
    static func open(_ path: String) async throws -> SQLiteFile {
        let storage: SQLiteConnection.Storage
        if path == ":memory:" || path == "file::memory:" {
            storage = .memory
        } else {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            storage = .file(path: path)
        }
        let connection = try await SQLiteConnection.open(storage: storage)
        let file = SQLiteFile(connection: connection, path: path)
        // WAL keeps readers and the writer out of each other's way and survives a crash;
        // NORMAL sync is durable against process death (our kill -9 case).
        _ = try await connection.query("PRAGMA journal_mode=WAL", [])
        _ = try await connection.query("PRAGMA synchronous=NORMAL", [])
        _ = try await connection.query("PRAGMA busy_timeout=5000", [])
        return file
    }

    /// Runs `body` holding the connection exclusively.
    func exclusive<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        await lock.lock()
        defer { lock.unlock() }
        return try await body(connection)
    }

    /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it throws.
    func transaction<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try await exclusive { connection in
            _ = try await connection.query("BEGIN IMMEDIATE", [])
            do {
                let result = try await body(connection)
                _ = try await connection.query("COMMIT", [])
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        }
    }

    func close() async {
        try? await connection.close()
    }
}

extension Array where Element == UInt8 {
    var sqliteBlob: SQLiteData { .blob(ByteBuffer(bytes: self)) }
}

extension SQLiteData {
    var bytes: [UInt8]? {
        switch self {
        case .blob(let buffer): Array(buffer: buffer)
        case .text(let text): Array(text.utf8)
        default: nil
        }
    }
}

/// Seconds since 1970 as SQLite REALs, for expiry and leases.
func epochSeconds() -> Double { Date().timeIntervalSince1970 }
