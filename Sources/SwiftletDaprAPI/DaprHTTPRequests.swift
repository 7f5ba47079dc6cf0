import Foundation
import SwiftletBlocks
import SwiftletResources

/// The bodies of Dapr's HTTP API requests, decoded apart from the server so that each
/// decoder can be tested and fuzzed on its own. Every failure is the ``DaprError`` the API
/// answers with; nothing a client sends can trap.
package enum DaprHTTPRequests {
    /// Any JSON value.
    package static func json(_ bytes: [UInt8]) throws(DaprError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw DaprError.malformed("the body is not valid JSON")
        }
    }

    /// `POST /v1.0/state/{store}`: `[{key, value, etag?, metadata?, options?}]`.
    package static func stateItems(_ bytes: [UInt8]) throws(DaprError) -> [StateSetRequest] {
        guard let items = try json(bytes) as? [[String: Any]] else {
            throw DaprError.malformed("the body must be a JSON array of {key, value}")
        }
        var requests: [StateSetRequest] = []
        for item in items { requests.append(try setRequest(item)) }
        return requests
    }

    /// `POST /v1.0/state/{store}/bulk`: `{keys: [...]}`.
    package static func bulkKeys(_ bytes: [UInt8]) throws(DaprError) -> [String] {
        guard let body = try json(bytes) as? [String: Any], let keys = body["keys"] as? [String] else {
            throw DaprError.malformed("the body must be {\"keys\": [...]}")
        }
        return keys
    }

    /// `POST /v1.0/state/{store}/transaction`: `{operations: [{operation, request}]}`.
    package static func transaction(_ bytes: [UInt8]) throws(DaprError) -> [StateOperation] {
        guard let body = try json(bytes) as? [String: Any], let operations = body["operations"] as? [[String: Any]] else {
            throw DaprError.malformed("the body must be {\"operations\": [...]}")
        }
        var batch: [StateOperation] = []
        for operation in operations {
            guard let kind = operation["operation"] as? String, let item = operation["request"] as? [String: Any] else {
                throw DaprError.malformed("each operation needs 'operation' and 'request'")
            }
            switch kind {
            case "upsert": batch.append(.upsert(try setRequest(item)))
            case "delete":
                guard let key = item["key"] as? String else { throw DaprError.malformed("delete needs a key") }
                batch.append(.delete(StateDeleteRequest(key: key, etag: etag(item), concurrency: concurrency(item))))
            default:
                throw DaprError(400, .invalidArgument, "ERR_NOT_SUPPORTED_STATE_OPERATION", "operation type \(kind) not supported")
            }
        }
        return batch
    }

    /// `POST /v1.0/bindings/{name}`: `{data?, metadata?, operation?}`.
    package struct Binding {
        package var operation: String
        package var data: [UInt8]
        package var metadata: [String: String]
    }

    package static func binding(_ bytes: [UInt8]) throws(DaprError) -> Binding {
        guard let body = try json(bytes) as? [String: Any] else {
            throw DaprError.malformed("the body must be {\"data\", \"metadata\", \"operation\"}")
        }
        var data: [UInt8] = []
        if let value = body["data"] {
            data = (value as? String).map { Array($0.utf8) } ?? serialize(value)
        }
        let metadata = (body["metadata"] as? [String: Any])?.mapValues { "\($0)" } ?? [:]
        return Binding(operation: body["operation"] as? String ?? "create", data: data, metadata: metadata)
    }

    /// `{key, value, etag?, metadata?: {ttlInSeconds}, options?: {concurrency}}`; values are
    /// stored as their JSON text, as Dapr does.
    static func setRequest(_ item: [String: Any]) throws(DaprError) -> StateSetRequest {
        guard let key = item["key"] as? String else { throw DaprError.malformed("each state item needs a 'key'") }
        let value = item["value"].map(serialize) ?? Array("null".utf8)
        var ttl: Int?
        if let metadata = item["metadata"] as? [String: Any], let text = metadata["ttlInSeconds"] {
            // -1 is "never expire"; anything past 68 years is a mistake a backend would refuse.
            guard let seconds = Int("\(text)"), seconds >= -1, seconds <= Int(Int32.max) else {
                throw DaprError.malformed("ttlInSeconds must be a whole number from -1 to \(Int32.max)")
            }
            ttl = seconds > 0 ? seconds : nil
        }
        return StateSetRequest(key: key, value: value, etag: etag(item), concurrency: concurrency(item), ttlSeconds: ttl)
    }

    static func etag(_ item: [String: Any]) -> String? {
        if let text = item["etag"] as? String, !text.isEmpty { return text }
        if let number = item["etag"] as? NSNumber { return number.stringValue }
        return nil
    }

    static func concurrency(_ item: [String: Any]) -> StateConcurrency {
        ((item["options"] as? [String: Any])?["concurrency"] as? String).flatMap(StateConcurrency.init) ?? .lastWrite
    }

    /// A value as JSON text (strings, numbers and `null` as fragments).
    static func serialize(_ value: Any) -> [UInt8] {
        guard JSONSerialization.isValidJSONObject([value]) else { return Array("null".utf8) }
        return [UInt8]((try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])) ?? Data("null".utf8))
    }
}
