/// A stored value and its version.
public struct StateItem: Sendable, Equatable {
    public var value: [UInt8]
    /// Opaque version; pass it back to make a write conditional.
    public var etag: String

    public init(value: [UInt8], etag: String) {
        self.value = value
        self.etag = etag
    }
}

/// Dapr's concurrency modes. An ETag, when given, is always checked; the mode decides what
/// a write without one does: `firstWrite` only creates, `lastWrite` overwrites.
public enum StateConcurrency: String, Sendable {
    case firstWrite = "first-write"
    case lastWrite = "last-write"
}

public struct StateSetRequest: Sendable {
    public var key: String
    public var value: [UInt8]
    public var etag: String?
    public var concurrency: StateConcurrency
    /// Seconds until the key expires, or `nil` for the store's default.
    public var ttlSeconds: Int?

    public init(key: String, value: [UInt8], etag: String? = nil, concurrency: StateConcurrency = .lastWrite, ttlSeconds: Int? = nil) {
        self.key = key
        self.value = value
        self.etag = etag
        self.concurrency = concurrency
        self.ttlSeconds = ttlSeconds
    }
}

public struct StateDeleteRequest: Sendable {
    public var key: String
    public var etag: String?
    public var concurrency: StateConcurrency

    public init(key: String, etag: String? = nil, concurrency: StateConcurrency = .lastWrite) {
        self.key = key
        self.etag = etag
        self.concurrency = concurrency
    }
}

public enum StateOperation: Sendable {
    case upsert(StateSetRequest)
    case delete(StateDeleteRequest)

    public var key: String {
        switch self {
        case .upsert(let request): request.key
        case .delete(let request): request.key
        }
    }
}

/// A key/value state store (`state.*` components). Keys are already namespaced by the
/// caller (``NamespacedStateStore``). ETags are decimal versions in every Swiftlet backend,
/// so a malformed one is rejected the same way everywhere.
public protocol StateStore: Sendable {
    func get(_ key: String) async throws(BuildingBlockError) -> StateItem?
    func bulkGet(_ keys: [String]) async throws(BuildingBlockError) -> [String: StateItem]
    func set(_ request: StateSetRequest) async throws(BuildingBlockError)
    func delete(_ request: StateDeleteRequest) async throws(BuildingBlockError)
    /// Applies every operation or none.
    func transact(_ operations: [StateOperation]) async throws(BuildingBlockError)
    func close() async
}

extension StateStore {
    public func bulkGet(_ keys: [String]) async throws(BuildingBlockError) -> [String: StateItem] {
        var items: [String: StateItem] = [:]
        for key in keys {
            if let item = try await get(key) { items[key] = item }
        }
        return items
    }
}

/// Version numbers as ETags.
public enum StateVersion {
    /// The version an ETag stands for, or ``BuildingBlockError/Kind/invalidETag``.
    public static func parse(_ etag: String) throws(BuildingBlockError) -> Int64 {
        guard let version = Int64(etag), version > 0 else {
            throw BuildingBlockError(.invalidETag, "invalid etag '\(etag)'")
        }
        return version
    }

    public static func conflict(_ key: String) -> BuildingBlockError {
        BuildingBlockError(.conflict, "possible etag mismatch on key '\(key)'")
    }
}

/// Prefixes keys the way Dapr does (`<appId>||<key>`), so apps sharing a store do not see
/// each other's keys, and refuses keys that could escape the prefix (empty, or containing
/// the `||` separator) with Dapr's `ERR_MALFORMED_REQUEST`. Every caller — the Dapr APIs and
/// guests — reaches a store through this, so they accept and refuse the same keys.
public struct NamespacedStateStore: StateStore {
    public let base: any StateStore
    public let prefix: String

    public init(_ base: any StateStore, prefix: String) {
        self.base = base
        self.prefix = prefix
    }

    /// The key as the backend stores it.
    public func stored(_ key: String) throws(BuildingBlockError) -> String {
        guard !key.isEmpty, !key.contains("||") else {
            throw BuildingBlockError(.invalidArgument, "invalid key '\(key)': keys are non-empty and cannot contain '||'",
                code: "ERR_MALFORMED_REQUEST")
        }
        return prefix + key
    }

    public func get(_ key: String) async throws(BuildingBlockError) -> StateItem? {
        try await base.get(try stored(key))
    }

    public func bulkGet(_ keys: [String]) async throws(BuildingBlockError) -> [String: StateItem] {
        var storedKeys: [String] = []
        storedKeys.reserveCapacity(keys.count)
        for key in keys { storedKeys.append(try stored(key)) }
        let items = try await base.bulkGet(storedKeys)
        var result: [String: StateItem] = [:]
        for (key, storedKey) in zip(keys, storedKeys) { result[key] = items[storedKey] }
        return result
    }

    public func set(_ request: StateSetRequest) async throws(BuildingBlockError) {
        var request = request
        request.key = try stored(request.key)
        try await base.set(request)
    }

    public func delete(_ request: StateDeleteRequest) async throws(BuildingBlockError) {
        var request = request
        request.key = try stored(request.key)
        try await base.delete(request)
    }

    public func transact(_ operations: [StateOperation]) async throws(BuildingBlockError) {
        var stored: [StateOperation] = []
        stored.reserveCapacity(operations.count)
        for operation in operations {
            switch operation {
            case .upsert(var request):
                request.key = try self.stored(request.key)
                stored.append(.upsert(request))
            case .delete(var request):
                request.key = try self.stored(request.key)
                stored.append(.delete(request))
            }
        }
        try await base.transact(stored)
    }

    public func close() async {}
}
