import Foundation
import SwiftletABI
import SwiftletBuildingBlocks
import SwiftletManifest

/// The operations behind Dapr's HTTP and gRPC APIs, shared by both: each takes plain values
/// and throws ``DaprError`` with the codes Dapr uses.
public final class DaprAPI: Sendable {
    /// The id of the app that calls the API (`--app-id`, else the Wasm app's name): state
    /// keys are namespaced by it and it is the CloudEvent source.
    public let appID: String
    public let registry: ComponentRegistry
    public let invoker: ServiceInvoker
    /// Subscriptions for the metadata API.
    let subscriptions: @Sendable () -> [SubscriptionInfo]
    /// Swiftlet's own entries for the metadata API's extended map (each Wasm component's
    /// engine tier), read when asked: they change with deployments.
    let extendedMetadata: @Sendable () -> [String: String]
    let appPort: Int?

    public struct SubscriptionInfo: Sendable {
        public var pubsubName: String
        public var topic: String
        public var route: String
        public var deadLetterTopic: String?

        public init(pubsubName: String, topic: String, route: String, deadLetterTopic: String?) {
            self.pubsubName = pubsubName
            self.topic = topic
            self.route = route
            self.deadLetterTopic = deadLetterTopic
        }
    }

    public static let runtimeVersion = "swiftlet-0.1.0"

    /// The metadata API's `extended` map.
    var extended: [String: String] {
        extendedMetadata().merging(["daprRuntimeVersion": Self.runtimeVersion]) { _, dapr in dapr }
    }

    public init(
        appID: String, registry: ComponentRegistry, invoker: ServiceInvoker, appPort: Int?,
        subscriptions: @escaping @Sendable () -> [SubscriptionInfo],
        extendedMetadata: @escaping @Sendable () -> [String: String] = { [:] }
    ) {
        self.extendedMetadata = extendedMetadata
        self.appID = appID
        self.registry = registry
        self.invoker = invoker
        self.appPort = appPort
        self.subscriptions = subscriptions
    }

    // MARK: State

    func store(_ name: String) throws(DaprError) -> any StateStore {
        guard let entry = registry.entry(name), case .state(let store) = entry.instance else {
            throw DaprError(400, .invalidArgument, "ERR_STATE_STORE_NOT_FOUND", "state store \(name) is not found")
        }
        let prefix: String
        switch entry.spec.item("keyPrefix")?.value ?? "appid" {
        case "appid": prefix = "\(appID)||"
        case "name": prefix = "\(name)||"
        case "none": prefix = ""
        case let custom: prefix = "\(custom)||"
        }
        return NamespacedStateStore(store, prefix: prefix)
    }

    public func getState(store name: String, key: String) async throws(DaprError) -> StateItem? {
        let store = try store(name)
        do {
            return try await store.get(key)
        } catch {
            throw DaprError.from(error, "ERR_STATE_GET")
        }
    }

    public func bulkGet(store name: String, keys: [String]) async throws(DaprError) -> [String: StateItem] {
        let store = try store(name)
        do {
            return try await store.bulkGet(keys)
        } catch {
            throw DaprError.from(error, "ERR_STATE_BULK_GET")
        }
    }

    public func saveState(store name: String, _ requests: [StateSetRequest]) async throws(DaprError) {
        let store = try store(name)
        for request in requests where request.key.isEmpty || request.key.contains("||") {
            throw DaprError(400, .invalidArgument, "ERR_MALFORMED_REQUEST", "invalid key '\(request.key)'")
        }
        do {
            for request in requests { try await store.set(request) }
        } catch {
            throw DaprError.from(error, "ERR_STATE_SAVE")
        }
    }

    public func deleteState(store name: String, _ request: StateDeleteRequest) async throws(DaprError) {
        let store = try store(name)
        do {
            try await store.delete(request)
        } catch {
            throw DaprError.from(error, "ERR_STATE_DELETE")
        }
    }

    public func transact(store name: String, _ operations: [StateOperation]) async throws(DaprError) {
        let store = try store(name)
        do {
            try await store.transact(operations)
        } catch {
            throw DaprError.from(error, "ERR_STATE_TRANSACTION")
        }
    }

    // MARK: Pub/sub

    /// Publishes with Dapr's envelope rules: the content type becomes `datacontenttype`,
    /// `application/cloudevents+json` is an envelope already, `rawPayload` skips it.
    public func publish(
        pubsub: String, topic: String, data: [UInt8], contentType: String?, metadata: [String: String], traceparent: String?
    ) async throws(DaprError) {
        guard let broker = registry.pubsub(pubsub) else {
            throw DaprError(404, .invalidArgument, "ERR_PUBSUB_NOT_FOUND", "pubsub \(pubsub) is not found")
        }
        guard !topic.isEmpty else {
            throw DaprError(404, .invalidArgument, "ERR_TOPIC_NAME_EMPTY", "topic is empty in pubsub \(pubsub)")
        }
        let context = CloudEvent.Context(topic: topic, pubsubName: pubsub, source: appID, traceparent: traceparent)
        let contentType = contentType.flatMap { $0.isEmpty ? nil : $0 } ?? "application/json"
        let message: [UInt8]
        if metadata["rawPayload"]?.lowercased() == "true" {
            message = data
        } else if contentType.hasPrefix(CloudEvent.contentType) {
            do {
                message = try CloudEvent.adopt(data, context: context)
            } catch {
                throw DaprError(400, .invalidArgument, "ERR_PUBSUB_CLOUD_EVENTS_SER", error.message)
            }
        } else {
            message = CloudEvent.wrap(data, contentType: contentType, context: context)
        }
        do {
            try await broker.publish(topic: topic, data: message)
        } catch {
            throw DaprError(500, .internalError, "ERR_PUBSUB_PUBLISH_MESSAGE", "error when publish to topic \(topic) in pubsub \(pubsub): \(error.message)")
        }
    }

    // MARK: Invocation, bindings, secrets, configuration

    public func invoke(appID target: String, _ request: GuestRequest) async throws(DaprError) -> GuestResponse {
        do {
            return try await invoker.invoke(appID: target, request: request)
        } catch {
            throw DaprError(500, error.kind == .notFound ? .notFound : .internalError, "ERR_DIRECT_INVOKE", "failed to invoke, id: \(target), err: \(error.message)")
        }
    }

    public func invokeBinding(name: String, operation: String, data: [UInt8], metadata: [String: String]) async throws(DaprError)
        -> BindingResponse
    {
        guard let binding = registry.outputBinding(name) else {
            throw DaprError(500, .invalidArgument, "ERR_INVOKE_OUTPUT_BINDING", "couldn't find output binding \(name)")
        }
        do {
            return try await binding.invoke(operation: operation, data: data, metadata: metadata)
        } catch {
            throw DaprError(500, .internalError, "ERR_INVOKE_OUTPUT_BINDING", "error invoking output binding \(name): \(error.message)")
        }
    }

    func secretStore(_ name: String) throws(DaprError) -> any SecretStore {
        guard registry.entries.values.contains(where: { $0.spec.type.hasPrefix("secretstores.") }) else {
            throw DaprError(500, .failedPrecondition, "ERR_SECRET_STORES_NOT_CONFIGURED", "secret store is not configured")
        }
        guard let store = registry.secrets(name) else {
            throw DaprError(401, .invalidArgument, "ERR_SECRET_STORE_NOT_FOUND", "failed finding secret store with key \(name)")
        }
        return store
    }

    public func secret(store name: String, key: String) async throws(DaprError) -> [String: String] {
        let store = try secretStore(name)
        do {
            return try await store.secret(key)
        } catch {
            throw DaprError(500, .internalError, "ERR_SECRET_GET", "failed getting secret with key \(key) from secret store \(name): \(error.message)")
        }
    }

    public func bulkSecrets(store name: String) async throws(DaprError) -> [String: [String: String]] {
        let store = try secretStore(name)
        do {
            return try await store.allSecrets()
        } catch {
            throw DaprError(500, .internalError, "ERR_SECRET_GET", "failed getting secrets from secret store \(name): \(error.message)")
        }
    }

    public func configuration(store name: String, keys: [String]) async throws(DaprError) -> [String: ConfigurationItem] {
        guard let store = registry.configuration(name) else {
            throw DaprError(400, .invalidArgument, "ERR_CONFIGURATION_STORE_NOT_FOUND", "configuration store \(name) not found")
        }
        do {
            return try await store.items(keys)
        } catch {
            throw DaprError(500, .internalError, "ERR_CONFIGURATION_GET", "failed to get \(keys) from configuration store \(name): \(error.message)")
        }
    }

    // MARK: Metadata

    public struct ComponentInfo: Sendable {
        public var name: String
        public var type: String
        public var version: String
        public var capabilities: [String]
    }

    public var components: [ComponentInfo] {
        registry.entries.values.map { entry in
            var capabilities: [String] = []
            switch entry.instance {
            case .state: capabilities = ["ETAG", "TRANSACTIONAL", "TTL"]
            case .pubsub: capabilities = ["SUBSCRIBE_WILDCARDS"]
            default: break
            }
            return ComponentInfo(name: entry.spec.name, type: entry.spec.type, version: entry.spec.version, capabilities: capabilities)
        }.sorted { $0.name < $1.name }
    }

    public var subscriptionList: [SubscriptionInfo] { subscriptions() }
    public var appConnectionPort: Int? { appPort }
}

