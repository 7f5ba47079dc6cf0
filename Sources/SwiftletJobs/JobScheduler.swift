import Foundation
import Logging
import ServiceLifecycle
import SwiftletBlocks
import SwiftletCore

/// The Jobs building block: jobs kept in a state store, fired by whichever replica claims
/// each fire first (see ``JobRecord``). Every replica scans the app's jobs at least once a
/// second and sooner when the next fire is nearer; a job scheduled here wakes this replica
/// at once.
public final class JobScheduler: Service, Sendable {
    public typealias Deliver = @Sendable (JobFire) async -> Bool

    let store: any StateStore
    let prefix: String
    let deliver: Deliver
    let lease: TimeInterval
    let logger: Logger
    let wake = AsyncSignal()
    /// Largest payload a job may carry, as Dapr bounds a request.
    public static let maxDataBytes = 4 << 20
    /// Most jobs per app: the index is one record and every replica scans it.
    public static let maxJobs = 10_000

    /// - Parameters:
    ///   - lease: how long a claimed fire stays with its replica before another takes it
    ///     over; deliveries give up before it lapses.
    public init(store: any StateStore, appID: String, lease: TimeInterval = 30, logger: Logger, deliver: @escaping Deliver) {
        self.store = store
        prefix = "swiftlet-jobs||\(appID)||"
        self.deliver = deliver
        self.lease = lease
        self.logger = logger
    }

    var indexKey: String { prefix + "index" }
    func key(_ name: String) -> String { prefix + "job||" + name }

    // MARK: API

    public func schedule(_ definition: JobDefinition, now: Date = Date()) async throws(BuildingBlockError) {
        try Self.validate(name: definition.name)
        guard definition.data.count <= Self.maxDataBytes else {
            throw BuildingBlockError(.invalidArgument, "job data is larger than 4 MiB", code: "ERR_MALFORMED_REQUEST")
        }
        let record = try JobRecord.new(definition, now: now)
        let existing = try await store.get(key(definition.name))
        if existing != nil && !definition.overwrite {
            throw BuildingBlockError(.conflict, "job '\(definition.name)' already exists (set overwrite to replace it)",
                                     code: "DAPR_SCHEDULER_SCHEDULE_JOB")
        }
        try await updateIndex { names throws(BuildingBlockError) in
            guard !names.contains(definition.name) else { return }
            guard names.count < Self.maxJobs else {
                throw BuildingBlockError(.tooLarge, "this app has \(Self.maxJobs) jobs; delete some first", code: "DAPR_SCHEDULER_SCHEDULE_JOB")
            }
            names.append(definition.name)
        }
        try await store.set(StateSetRequest(key: key(definition.name), value: try Self.encode(record)))
        wake.signal()
    }

    public func get(_ name: String) async throws(BuildingBlockError) -> JobDefinition? {
        try Self.validate(name: name)
        guard let item = try await store.get(key(name)) else { return nil }
        do {
            return try Self.decode(item.value).definition
        } catch {
            throw BuildingBlockError(.internalError, "the record of job '\(name)' cannot be read: \(error)")
        }
    }

    /// Deletes the job; false when there was none.
    @discardableResult
    public func delete(_ name: String) async throws(BuildingBlockError) -> Bool {
        try Self.validate(name: name)
        let existed = try await store.get(key(name)) != nil
        try await store.delete(StateDeleteRequest(key: key(name)))
        try await updateIndex { names in names.removeAll { $0 == name } }
        return existed
    }

    static func validate(name: String) throws(BuildingBlockError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw BuildingBlockError(.invalidArgument, "Name is empty", code: "DAPR_SCHEDULER_JOB_NAME_EMPTY")
        }
        // Dapr's names are DNS-like; these are the characters that would break a key or a path.
        let forbidden: Set<Character> = ["/", "\\", "#", "?", "\0", "\n", "|"]
        guard name.utf8.count <= 253, !name.contains(where: forbidden.contains) else {
            throw BuildingBlockError(
                .invalidArgument, "invalid job name '\(name)': at most 253 bytes, without / \\ # ? | or control characters",
                code: "DAPR_SCHEDULER_JOB_NAME")
        }
    }

    // MARK: Firing

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    func loop() async {
        var failures = 0
        while !Task.isCancelled {
            var sleep = 1.0
            do throws(BuildingBlockError) {
                let next = try await scan(now: Date())
                if let next { sleep = min(sleep, max(0.01, next.timeIntervalSinceNow)) }
                failures = 0
            } catch {
                if failures % 30 == 0 { logger.warning("jobs: \(error.message); retrying") }
                failures += 1
            }
            await wake.wait(timeout: .milliseconds(Int64(sleep * 1000)))
        }
    }

    /// One pass over the app's jobs: claims and delivers what is due, removes what is done.
    /// Returns the earliest time something will be due.
    func scan(now: Date) async throws(BuildingBlockError) -> Date? {
        var earliest: Date?
        for name in try await names() {
            guard let item = try await store.get(key(name)) else { continue }
            guard let record = try? Self.decode(item.value) else {
                logger.warning("jobs: the record of '\(name)' cannot be read; leaving it")
                continue
            }
            switch record.step(now: now, lease: lease) {
            case .wait(let until):
                if let until { earliest = min(earliest ?? until, until) }
            case .remove:
                try? await store.delete(StateDeleteRequest(key: key(name), etag: item.etag))
                try? await updateIndex { names in names.removeAll { $0 == name } }
            case .fire(let claimed, let fire):
                // Another replica may have claimed it first: then this write fails, quietly.
                do {
                    try await store.set(StateSetRequest(key: key(name), value: try Self.encode(claimed), etag: item.etag))
                } catch {
                    continue
                }
                let delivered = await deliver(fire)
                if !delivered { logger.warning("jobs: '\(name)' was not taken by the app (try \(fire.attempt))") }
                try await settle(name, delivered: delivered)
                earliest = Date()
            }
        }
        return earliest
    }

    /// Records how a claimed fire went, re-reading the record: the job may have been
    /// rescheduled or deleted meanwhile.
    func settle(_ name: String, delivered: Bool) async throws(BuildingBlockError) {
        for _ in 0..<5 {
            guard let item = try await store.get(key(name)), let record = try? Self.decode(item.value) else { return }
            do {
                if let next = record.settled(success: delivered, now: Date()) {
                    try await store.set(StateSetRequest(key: key(name), value: try Self.encode(next), etag: item.etag))
                } else {
                    try await store.delete(StateDeleteRequest(key: key(name), etag: item.etag))
                    try await updateIndex { names in names.removeAll { $0 == name } }
                }
                return
            } catch where error.kind == .conflict {
                continue
            }
        }
    }

    // MARK: Storage

    func names() async throws(BuildingBlockError) -> [String] {
        guard let item = try await store.get(indexKey) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(item.value))) ?? []
    }

    /// Changes the index by compare-and-swap, retried when another replica got there first.
    func updateIndex(_ change: (inout [String]) throws(BuildingBlockError) -> Void) async throws(BuildingBlockError) {
        for _ in 0..<20 {
            let item = try await store.get(indexKey)
            var names = item.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.value)) } ?? []
            let before = names
            try change(&names)
            if names == before && item != nil { return }
            let value = Array((try? JSONEncoder().encode(names)) ?? Data("[]".utf8))
            do {
                try await store.set(StateSetRequest(
                    key: indexKey, value: value, etag: item?.etag, concurrency: item == nil ? .firstWrite : .lastWrite))
                return
            } catch where error.kind == .conflict {
                continue
            }
        }
        throw BuildingBlockError(.unavailable, "the job index is too busy to update; try again", code: "DAPR_SCHEDULER_SCHEDULE_JOB")
    }

    static func encode(_ record: JobRecord) throws(BuildingBlockError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(record))
        } catch {
            throw BuildingBlockError(.internalError, "cannot encode job '\(record.definition.name)': \(error)")
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> JobRecord {
        try JSONDecoder().decode(JobRecord.self, from: Data(bytes))
    }
}
