import Foundation
import SwiftletABI
import SwiftletBlocks
import SwiftletJobs
import SwiftletResources
import SwiftletManifest

/// The operations behind Dapr's HTTP and gRPC APIs, shared by both: each takes plain values
/// and throws ``DaprError`` with the codes Dapr uses.
public final class DaprAPI: Sendable {
    /// The id of the app that calls the API (`--app-id`, else the Wasm app's name): state
    /// keys are namespaced by it and it is the CloudEvent source.
    public let appID: String
    public let registry: ResourceRegistry
    public let invoker: ServiceInvoker
    /// Subscriptions for the metadata API.
    let subscriptions: @Sendable () -> [SubscriptionInfo]
    /// Swiftlet's own entries for the metadata API's extended map (each Wasm component's
    /// engine tier), read when asked: they change with deployments.
    let extendedMetadata: @Sendable () -> [String: String]
    let appPort: Int?
    /// The Jobs building block; nil when the app has no state store to keep jobs in.
    public let jobs: JobScheduler?

    public struct SubscriptionInfo: Sendable {
        public var pubsubName: String
        public var topic: String
        public var routes: TopicRoutes
        public var deadLetterTopic: String?

        public init(pubsubName: String, topic: String, routes: TopicRoutes, deadLetterTopic: String?) {
            self.pubsubName = pubsubName
            self.topic = topic
            self.routes = routes
            self.deadLetterTopic = deadLetterTopic
        }
    }

    public static let runtimeVersion = "swiftlet-0.1.0"

    /// The metadata API's `extended` map.
    var extended: [String: String] {
        extendedMetadata().merging(["daprRuntimeVersion": Self.runtimeVersion]) { _, dapr in dapr }
    }

    public init(
        appID: String, registry: ResourceRegistry, invoker: ServiceInvoker, appPort: Int?, jobs: JobScheduler? = nil,
        subscriptions: @escaping @Sendable () -> [SubscriptionInfo],
        extendedMetadata: @escaping @Sendable () -> [String: String] = { [:] }
    ) {
        self.extendedMetadata = extendedMetadata
        self.appID = appID
        self.registry = registry
        self.invoker = invoker
        self.appPort = appPort
        self.jobs = jobs
        self.subscriptions = subscriptions
    }

    /// The building blocks as guests see them too: one place resolves components, keys and
    /// envelopes, so the two paths cannot disagree.
    public var blocks: AppBuildingBlocks { AppBuildingBlocks(appID: appID, registry: registry) }

    // MARK: State

    func store(_ name: String) throws(DaprError) -> NamespacedStateStore {
        do {
            return try blocks.stateStore(name)
        } catch {
            throw DaprError.from(error, "ERR_STATE_STORE_NOT_FOUND")
        }
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
        do {
            // Every key is checked before anything is written: a bad key in the middle of a
            // batch must not leave the first half saved.
            for request in requests { _ = try store.stored(request.key) }
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

    /// Publishes with Dapr's envelope rules (``AppBuildingBlocks/publish(pubsub:topic:data:contentType:metadata:traceparent:)``).
    public func publish(
        pubsub: String, topic: String, data: [UInt8], contentType: String?, metadata: [String: String], traceparent: String?
    ) async throws(DaprError) {
        do {
            try await blocks.publish(
                pubsub: pubsub, topic: topic, data: data, contentType: contentType, metadata: metadata, traceparent: traceparent)
        } catch {
            throw DaprError.from(error, "ERR_PUBSUB_PUBLISH_MESSAGE")
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
        do {
            return try await blocks.invokeBinding(name: name, operation: operation, data: data, metadata: metadata)
        } catch {
            throw DaprError.from(error, "ERR_INVOKE_OUTPUT_BINDING")
        }
    }

    public func secret(store name: String, key: String) async throws(DaprError) -> [String: String] {
        do {
            return try await blocks.secret(store: name, key: key)
        } catch {
            throw DaprError.from(error, "ERR_SECRET_GET")
        }
    }

    public func bulkSecrets(store name: String) async throws(DaprError) -> [String: [String: String]] {
        let store: any SecretStore
        do {
            store = try blocks.secretStore(name)
        } catch {
            throw DaprError.from(error, "ERR_SECRET_GET")
        }
        do {
            return try await store.allSecrets()
        } catch {
            throw DaprError(500, .internalError, "ERR_SECRET_GET", "failed getting secrets from secret store \(name): \(error.message)")
        }
    }

    public func configuration(store name: String, keys: [String]) async throws(DaprError) -> [String: ConfigurationItem] {
        do {
            return try await blocks.configuration(store: name, keys: keys)
        } catch {
            throw DaprError.from(error, "ERR_CONFIGURATION_GET")
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

