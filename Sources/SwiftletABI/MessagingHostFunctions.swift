import SwiftletCore
import SwiftletBlocks

/// `swiftlet_v1` functions for pub/sub, bindings, secrets, configuration, outbound HTTP,
/// service invocation, and reading the result of the last such call.
public enum MessagingHostFunctions<Memory: GuestMemoryView> {
    public static var all: [HostFunction<Memory>] {
        [
            // result_read(buf, cap) -> length of the last call's result
            HostFunction("result_read", [.i32, .i32]) { call, memory, args throws(ABIError) in
                guard let result = call.lastResult else {
                    guard memory.contains(args.u32(0), args.u32(1)) else { throw .fault }
                    throw .notFound
                }
                return Int64(try memory.copyOut(result.body, to: args.u32(0), capacity: args.u32(1)))
            },
            // result_meta(name, name_len, buf, cap) -> length of a named field (etag, a header, ...)
            HostFunction("result_meta", [.i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                try HTTPHostFunctions<Memory>.copyOutNamed(memory, args) { call.lastResult?.meta($0) }
            },
            // publish(pubsub, len, topic, len, data, len, content_type, len) -> 0
            HostFunction("publish", [.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                try publish(call, memory, args, metadata: [:])
            },
            // publish_meta(pubsub, len, topic, len, data, len, content_type, len, metadata, len) -> 0;
            // metadata is "name: value" lines, as the publish API's metadata (rawPayload).
            HostFunction("publish_meta", [.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32]) {
                call, memory, args throws(ABIError) in
                try publish(call, memory, args, metadata: try metadataLines(memory, args.u32(8), args.u32(9)))
            },
            // secret_get(store, len, name, len, buf, cap) -> value length
            HostFunction("secret_get", [.i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let store = try memory.readString(args.u32(0), args.u32(1))
                let name = try memory.readString(args.u32(2), args.u32(3))
                guard memory.contains(args.u32(4), args.u32(5)) else { throw .fault }
                let secret = try call.perform { services throws(BuildingBlockError) in try await services.secret(store: store, name: name) }
                guard let value = secret[name] ?? (secret.count == 1 ? secret.values.first : nil) else { throw .notFound }
                return try call.deliver(
                    GuestResult(body: Array(value.utf8), metadata: secret.map { ($0.key, $0.value) }), to: memory,
                    pointer: args.u32(4), capacity: args.u32(5))
            },
            // config_get(store, len, key, len, buf, cap) -> value length (version in result_meta)
            HostFunction("config_get", [.i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let store = try memory.readString(args.u32(0), args.u32(1))
                let key = try memory.readString(args.u32(2), args.u32(3))
                guard memory.contains(args.u32(4), args.u32(5)) else { throw .fault }
                let items = try call.perform { services throws(BuildingBlockError) in
                    try await services.configuration(store: store, keys: [key])
                }
                guard let item = items[key] else { throw .notFound }
                return try call.deliver(
                    GuestResult(body: Array(item.value.utf8), metadata: [("version", item.version)] + item.metadata.map { ($0.key, $0.value) }),
                    to: memory, pointer: args.u32(4), capacity: args.u32(5))
            },
            // binding_invoke(name, len, operation, len, data, len, metadata, len, buf, cap) -> response length
            HostFunction("binding_invoke", [.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let name = try memory.readString(args.u32(0), args.u32(1))
                let operation = try memory.readString(args.u32(2), args.u32(3))
                let data = try memory.readBytes(args.u32(4), args.u32(5))
                let metadata = try metadataLines(memory, args.u32(6), args.u32(7))
                guard memory.contains(args.u32(8), args.u32(9)) else { throw .fault }
                let response = try call.perform { services throws(BuildingBlockError) in
                    try await services.invokeBinding(name: name, operation: operation, data: data, metadata: metadata)
                }
                return try call.deliver(
                    GuestResult(body: response.data, metadata: response.metadata.map { ($0.key, $0.value) }), to: memory,
                    pointer: args.u32(8), capacity: args.u32(9))
            },
            // http_send(method, len, url, len, headers, len, body, len) -> status; body via result_read
            HostFunction("http_send", [.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let request = OutboundRequest(
                    method: try memory.readString(args.u32(0), args.u32(1)), url: try memory.readString(args.u32(2), args.u32(3)),
                    headers: call.withTraceContext(try HeaderLines.parse(try memory.readString(args.u32(4), args.u32(5)))),
                    body: try memory.readBytes(args.u32(6), args.u32(7)), maxResponseBytes: call.maxResponseBytes)
                let deadline = call.deadline
                let response = try call.perform { services throws(BuildingBlockError) in
                    try await services.send(request, deadline: deadline)
                }
                call.lastResult = GuestResult(body: response.body, metadata: response.headers)
                return Int64(response.status)
            },
            // invoke(app_id, len, method, len, path, len, headers, len, body, len) -> status; body via result_read
            HostFunction("invoke", [.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let appID = try memory.readString(args.u32(0), args.u32(1))
                let method = try memory.readString(args.u32(2), args.u32(3))
                let target = try memory.readString(args.u32(4), args.u32(5))
                let headers = call.withTraceContext(try HeaderLines.parse(try memory.readString(args.u32(6), args.u32(7))))
                let body = try memory.readBytes(args.u32(8), args.u32(9))
                guard target.hasPrefix("/") else { throw .invalid }
                let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
                var origin = call.request.origin
                origin.callDepth += 1
                let request = GuestRequest(
                    method: method.uppercased(), path: parts[0], query: parts.count > 1 ? parts[1] : "", headers: headers,
                    body: body, origin: origin)
                let services = try call.requireServices()
                let response: GuestResponse
                do throws(BuildingBlockError) {
                    response = try services.invoke(appID: appID, request: request, deadline: call.deadline)
                } catch {
                    throw ABIError(error)
                }
                call.lastResult = GuestResult(body: response.body, metadata: response.headers)
                return Int64(response.status)
            },
        ]
    }
}

/// `name: value` lines, the header format of the ABI.
public enum HeaderLines {
    /// Header names are lowercased (HTTP's are case-insensitive); metadata names keep their
    /// case, because Dapr's are case-sensitive (`rawPayload`).
    public static func parse(_ text: String, lowercasingNames: Bool = true) throws(ABIError) -> HeaderList {
        var headers: HeaderList = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard let colon = line.firstIndex(of: ":") else { throw .invalid }
            let trimmed = line[..<colon].trimmed()
            let name = lowercasingNames ? trimmed.lowercased() : trimmed
            let value = line[line.index(after: colon)...].trimmed()
            guard HTTPHostFunctions<NoMemory>.isHeaderName(name), HTTPHostFunctions<NoMemory>.isHeaderValue(value) else {
                throw .invalid
            }
            headers.append((name, value))
        }
        return headers
    }
}

/// Stand-in memory type for static helpers that never touch memory.
public struct NoMemory: GuestMemoryView {
    public var byteCount: Int { 0 }
    public func withUncheckedBytes<R>(offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmed() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension MessagingHostFunctions {
    static func publish(_ call: GuestCall, _ memory: Memory, _ args: HostArguments, metadata: [String: String]) throws(ABIError) -> Int64 {
        let pubsub = try memory.readString(args.u32(0), args.u32(1))
        let topic = try memory.readString(args.u32(2), args.u32(3))
        let data = try memory.readBytes(args.u32(4), args.u32(5))
        let contentType = try StateHostFunctions<Memory>.optionalString(memory, args.u32(6), args.u32(7))
        let traceparent = call.request.header("traceparent")
        try call.perform { services throws(BuildingBlockError) in
            try await services.publish(
                pubsub: pubsub, topic: topic, data: data, contentType: contentType, metadata: metadata, traceparent: traceparent)
        }
        return 0
    }

    /// "name: value" lines as a map (the last of a repeated name wins).
    static func metadataLines(_ memory: Memory, _ pointer: UInt32, _ length: UInt32) throws(ABIError) -> [String: String] {
        Dictionary(
            try HeaderLines.parse(try memory.readString(pointer, length), lowercasingNames: false).map { ($0.name, $0.value) },
            uniquingKeysWith: { $1 })
    }
}
