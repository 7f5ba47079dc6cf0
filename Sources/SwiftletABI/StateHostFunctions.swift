import SwiftletBlocks

/// `swiftlet_v1` state functions (docs/abi.md). The store name must be in the component's
/// `uses` list; keys are namespaced per app by the host.
public enum StateHostFunctions<Memory: GuestMemoryView> {
    /// `flags` bit 0: first-write concurrency (a write without an ETag only creates).
    static var firstWriteFlag: UInt32 { 1 }

    public static var all: [HostFunction<Memory>] {
        [
            // state_get(store, store_len, key, key_len, buf, cap) -> value length | ENOTFOUND
            HostFunction("state_get", [.i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let storeName = try memory.readString(args.u32(0), args.u32(1))
                let key = try memory.readString(args.u32(2), args.u32(3))
                guard memory.contains(args.u32(4), args.u32(5)) else { throw .fault }
                let item = try call.perform { services throws(BuildingBlockError) in
                    try await services.stateStore(storeName).get(key)
                }
                guard let item else {
                    call.lastResult = nil
                    throw .notFound
                }
                return try call.deliver(
                    GuestResult(body: item.value, metadata: [("etag", item.etag)]), to: memory, pointer: args.u32(4),
                    capacity: args.u32(5))
            },
            // state_set(store, store_len, key, key_len, value, value_len, etag, etag_len, flags, ttl_seconds) -> 0
            HostFunction("state_set", [.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let storeName = try memory.readString(args.u32(0), args.u32(1))
                let request = StateSetRequest(
                    key: try memory.readString(args.u32(2), args.u32(3)), value: try memory.readBytes(args.u32(4), args.u32(5)),
                    etag: try optionalString(memory, args.u32(6), args.u32(7)),
                    concurrency: args.u32(8) & firstWriteFlag != 0 ? .firstWrite : .lastWrite,
                    ttlSeconds: args.i32(9) > 0 ? Int(args.i32(9)) : nil)
                try call.perform { services throws(BuildingBlockError) in try await services.stateStore(storeName).set(request) }
                return 0
            },
            // state_delete(store, store_len, key, key_len, etag, etag_len, flags) -> 0
            HostFunction("state_delete", [.i32, .i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let storeName = try memory.readString(args.u32(0), args.u32(1))
                let request = StateDeleteRequest(
                    key: try memory.readString(args.u32(2), args.u32(3)), etag: try optionalString(memory, args.u32(4), args.u32(5)),
                    concurrency: args.u32(6) & firstWriteFlag != 0 ? .firstWrite : .lastWrite)
                try call.perform { services throws(BuildingBlockError) in try await services.stateStore(storeName).delete(request) }
                return 0
            },
            // state_get_bulk(store, store_len, keys, keys_len, buf, cap) -> result length
            HostFunction("state_get_bulk", [.i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let storeName = try memory.readString(args.u32(0), args.u32(1))
                var reader = FrameReader(try memory.readBytes(args.u32(2), args.u32(3)))
                var keys: [String] = []
                while !reader.isAtEnd { keys.append(try reader.string()) }
                guard memory.contains(args.u32(4), args.u32(5)) else { throw .fault }
                let found = keys
                let items = try call.perform { services throws(BuildingBlockError) in
                    try await services.stateStore(storeName).bulkGet(found)
                }
                var writer = FrameWriter()
                for key in keys {
                    writer.field(key.utf8)
                    if let item = items[key] {
                        writer.field(item.value)
                        writer.field(item.etag.utf8)
                    } else {
                        writer.i32(-1)
                        writer.u32(0)
                    }
                }
                return try call.deliver(GuestResult(body: writer.bytes), to: memory, pointer: args.u32(4), capacity: args.u32(5))
            },
            // state_transact(store, store_len, ops, ops_len) -> 0; all operations or none
            HostFunction("state_transact", [.i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let storeName = try memory.readString(args.u32(0), args.u32(1))
                var reader = FrameReader(try memory.readBytes(args.u32(2), args.u32(3)))
                var operations: [StateOperation] = []
                while !reader.isAtEnd {
                    let kind = try reader.u8()
                    let key = try reader.string()
                    let value = try reader.field()
                    let etagBytes = try reader.field()
                    let flags = UInt32(try reader.u8())
                    let ttl = try reader.i32()
                    let etag = etagBytes.isEmpty ? nil : String(decoding: etagBytes, as: UTF8.self)
                    let concurrency: StateConcurrency = flags & firstWriteFlag != 0 ? .firstWrite : .lastWrite
                    switch kind {
                    case 1:
                        operations.append(.upsert(StateSetRequest(
                            key: key, value: value, etag: etag, concurrency: concurrency, ttlSeconds: ttl > 0 ? Int(ttl) : nil)))
                    case 2:
                        operations.append(.delete(StateDeleteRequest(key: key, etag: etag, concurrency: concurrency)))
                    default:
                        throw .invalid
                    }
                }
                let batch = operations
                try call.perform { services throws(BuildingBlockError) in try await services.stateStore(storeName).transact(batch) }
                return 0
            },
        ]
    }

    /// A string argument whose zero length means "none".
    static func optionalString(_ memory: Memory, _ pointer: UInt32, _ length: UInt32) throws(ABIError) -> String? {
        length == 0 ? nil : try memory.readString(pointer, length)
    }
}
