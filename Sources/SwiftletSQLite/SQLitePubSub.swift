import Foundation
import SQLiteNIO
import SwiftletBlocks
import SwiftletResources
import SwiftletCore

/// `pubsub.sqlite`: the embedded durable broker. Messages are rows; each consumer group has
/// a cursor and an inbox of leased deliveries, so a message survives a crash until a
/// subscriber acknowledges it, and an unacknowledged lease expires into a redelivery.
final class SQLitePubSub: PubSubBackend {
    let file: SQLiteFile
    let name: String
    /// Wakes consumers waiting in `fetch` when a message is published in this process.
    let published = PublishSignal()

    init(file: SQLiteFile, name: String) async throws {
        self.file = file
        self.name = name
        for statement in [
            "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, data BLOB NOT NULL, published REAL NOT NULL)",
            "CREATE INDEX IF NOT EXISTS messages_topic ON messages (topic, id)",
            "CREATE TABLE IF NOT EXISTS groups (grp TEXT NOT NULL, topic TEXT NOT NULL, cursor INTEGER NOT NULL, PRIMARY KEY (grp, topic))",
            "CREATE TABLE IF NOT EXISTS inbox (grp TEXT NOT NULL, topic TEXT NOT NULL, message_id INTEGER NOT NULL, attempts INTEGER NOT NULL, available REAL NOT NULL, PRIMARY KEY (grp, topic, message_id))",
        ] {
            _ = try await file.connection.query(statement, [])
        }
    }

    func publish(topic: String, data: [UInt8]) async throws(BuildingBlockError) {
        do {
            try await file.exclusive { connection in
                _ = try await connection.query(
                    "INSERT INTO messages (topic, data, published) VALUES (?, ?, ?)",
                    [.text(topic), data.sqliteBlob, .float(epochSeconds())])
            }
        } catch {
            throw BuildingBlockError.unavailable(name, error)
        }
        published.signal()
    }

    func consumer(topic: String, group: String, options: ConsumerOptions) async throws(BuildingBlockError)
        -> any PubSubConsumer
    {
        do {
            try await file.exclusive { connection in
                // A new group starts at the beginning: nothing published before the first
                // subscriber registered is lost.
                _ = try await connection.query(
                    "INSERT INTO groups (grp, topic, cursor) VALUES (?, ?, 0) ON CONFLICT DO NOTHING", [.text(group), .text(topic)])
            }
        } catch {
            throw BuildingBlockError.unavailable(name, error)
        }
        return SQLiteConsumer(broker: self, topic: topic, group: group, options: options)
    }

    func close() async {
        await file.close()
    }
}

/// Lets fetchers sleep until something is published instead of polling tightly.
final class PublishSignal: Sendable {
    private let generation = Locked<UInt64>(0)

    func signal() { generation.withLock { $0 &+= 1 } }
    var current: UInt64 { generation.withLock { $0 } }
}

struct SQLiteConsumer: PubSubConsumer {
    let broker: SQLitePubSub
    let topic: String
    let group: String
    let options: ConsumerOptions

    func fetch(max: Int, waitSeconds: Double) async throws(BuildingBlockError) -> [PubSubDelivery] {
        let deadline = Date().addingTimeInterval(waitSeconds)
        while true {
            let seen = broker.published.current
            let batch = try await fetchReady(max: max)
            if !batch.isEmpty || Date() >= deadline { return batch }
            // Publishes in this process bump the signal; others (leases expiring) are found
            // by the next poll.
            while broker.published.current == seen, Date() < deadline {
                try? await Task.sleep(for: .milliseconds(10))
                if Task.isCancelled { return [] }
            }
        }
    }

    private func fetchReady(max: Int) async throws(BuildingBlockError) -> [PubSubDelivery] {
        let topic = topic
        let group = group
        let lease = options.leaseSeconds
        do {
            return try await broker.file.transaction { connection in
                let now = epochSeconds()
                // Move newly published messages into this group's inbox.
                let cursorRows = try await connection.query(
                    "SELECT cursor FROM groups WHERE grp = ? AND topic = ?", [.text(group), .text(topic)])
                let cursor = cursorRows.first?.column("cursor")?.integer ?? 0
                let latestRows = try await connection.query(
                    "SELECT MAX(id) AS latest FROM messages WHERE topic = ? AND id > ?", [.text(topic), .integer(cursor)])
                if let latest = latestRows.first?.column("latest")?.integer {
                    _ = try await connection.query(
                        "INSERT INTO inbox (grp, topic, message_id, attempts, available) SELECT ?, topic, id, 0, 0 FROM messages WHERE topic = ? AND id > ? AND id <= ?",
                        [.text(group), .text(topic), .integer(cursor), .integer(latest)])
                    _ = try await connection.query(
                        "UPDATE groups SET cursor = ? WHERE grp = ? AND topic = ?", [.integer(latest), .text(group), .text(topic)])
                }
                // Lease what is available: new, refused and expired deliveries alike.
                let leased = try await connection.query(
                    "UPDATE inbox SET attempts = attempts + 1, available = ? WHERE grp = ? AND topic = ? AND message_id IN (SELECT message_id FROM inbox WHERE grp = ? AND topic = ? AND available <= ? ORDER BY message_id LIMIT ?) RETURNING message_id, attempts",
                    [.float(now + lease), .text(group), .text(topic), .text(group), .text(topic), .float(now), .integer(SQLiteInt64(max))])
                var deliveries: [PubSubDelivery] = []
                for row in leased.sorted(by: { ($0.column("message_id")?.integer ?? 0) < ($1.column("message_id")?.integer ?? 0) }) {
                    guard let id = row.column("message_id")?.integer, let attempts = row.column("attempts")?.integer else { continue }
                    let data = try await connection.query("SELECT data FROM messages WHERE id = ?", [.integer(id)])
                    guard let bytes = data.first?.column("data")?.bytes else { continue }
                    deliveries.append(PubSubDelivery(id: String(id), topic: topic, data: bytes, attempt: Int(attempts)))
                }
                return deliveries
            }
        } catch {
            throw BuildingBlockError.unavailable(broker.name, error)
        }
    }

    func ack(_ delivery: PubSubDelivery) async throws(BuildingBlockError) {
        try await update("DELETE FROM inbox WHERE grp = ? AND topic = ? AND message_id = ?", delivery)
        // Messages every group is past, and no inbox holds, are garbage.
        if let id = Int(delivery.id), id % 64 == 0 {
            let topic = topic
            try? await broker.file.exclusive { connection in
                _ = try await connection.query(
                    "DELETE FROM messages WHERE topic = ? AND id <= (SELECT MIN(cursor) FROM groups WHERE topic = ?) AND id NOT IN (SELECT message_id FROM inbox WHERE topic = ?)",
                    [.text(topic), .text(topic), .text(topic)])
            }
        }
    }

    func nak(_ delivery: PubSubDelivery, delaySeconds: Double) async throws(BuildingBlockError) {
        try await update(
            "UPDATE inbox SET available = ? WHERE grp = ? AND topic = ? AND message_id = ?", delivery,
            prefix: [.float(epochSeconds() + delaySeconds)])
    }

    var leaseSeconds: Double { options.leaseSeconds }

    func extend(_ deliveries: [PubSubDelivery]) async throws(BuildingBlockError) {
        guard !deliveries.isEmpty else { return }
        let topic = topic
        let group = group
        let until = epochSeconds() + options.leaseSeconds
        do {
            try await broker.file.exclusive { connection in
                // A delivery leased again since (an expired lease, another fetch) has a new
                // attempt count and is not ours to extend.
                for delivery in deliveries {
                    guard let id = Int(delivery.id) else { continue }
                    _ = try await connection.query(
                        "UPDATE inbox SET available = ? WHERE grp = ? AND topic = ? AND message_id = ? AND attempts = ?",
                        [.float(until), .text(group), .text(topic), .integer(SQLiteInt64(id)), .integer(SQLiteInt64(delivery.attempt))])
                }
            }
        } catch {
            throw BuildingBlockError.unavailable(broker.name, error)
        }
    }

    func close() async {}

    private func update(_ sql: String, _ delivery: PubSubDelivery, prefix: [SQLiteData] = []) async throws(BuildingBlockError) {
        guard let id = Int(delivery.id) else { throw BuildingBlockError(.invalidArgument, "not a delivery of this broker") }
        let binds = prefix + [.text(group), .text(topic), .integer(SQLiteInt64(id))]
        do {
            try await broker.file.exclusive { connection in _ = try await connection.query(sql, binds) }
        } catch {
            throw BuildingBlockError.unavailable(broker.name, error)
        }
    }
}
