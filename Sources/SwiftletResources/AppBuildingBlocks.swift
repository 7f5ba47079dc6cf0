import SwiftletBlocks
import SwiftletManifest

/// The building blocks of one app as every caller sees them: the Dapr HTTP and gRPC APIs and
/// guests (through the `swiftlet_v1` ABI) both come through here, so they resolve the same
/// components, namespace and validate the same keys, build the same CloudEvents and refuse
/// the same input with the same Dapr error code. Callers add only their own policy (a guest
/// may use what its component's `uses` lists) and their own error mapping.
public struct AppBuildingBlocks: Sendable {
    /// The app whose keys these are (`<appId>||key`) and the CloudEvent `source`.
    public let appID: String
    public let registry: ResourceRegistry

    public init(appID: String, registry: ResourceRegistry) {
        self.appID = appID
        self.registry = registry
    }

    // MARK: State

    /// A state store with Dapr's `keyPrefix` applied and keys validated.
    public func stateStore(_ name: String) throws(BuildingBlockError) -> NamespacedStateStore {
        guard let entry = registry.entry(name), case .state(let store) = entry.instance else {
            throw BuildingBlockError(.notFound, "state store \(name) is not found", code: "ERR_STATE_STORE_NOT_FOUND")
        }
        return NamespacedStateStore(store, prefix: KeyPrefix.prefix(for: entry.spec, appID: appID))
    }

    // MARK: Pub/sub

    /// Publishes with Dapr's envelope rules: the content type (default `application/json`)
    /// becomes `datacontenttype`, `application/cloudevents+json` is an envelope already and
    /// gets the missing fields, metadata `rawPayload=true` sends `data` as it is.
    public func publish(
        pubsub: String, topic: String, data: [UInt8], contentType: String?, metadata: [String: String] = [:],
        traceparent: String? = nil
    ) async throws(BuildingBlockError) {
        guard let broker = registry.pubsub(pubsub) else {
            throw BuildingBlockError(.notFound, "pubsub \(pubsub) is not found", code: "ERR_PUBSUB_NOT_FOUND")
        }
        try await Self.publish(
            to: broker, pubsub: pubsub, topic: topic, data: data, contentType: contentType, metadata: metadata,
            source: appID, traceparent: traceparent)
    }

    static func publish(
        to broker: any PubSubBackend, pubsub: String, topic: String, data: [UInt8], contentType: String?,
        metadata: [String: String], source: String, traceparent: String?
    ) async throws(BuildingBlockError) {
        guard !topic.isEmpty else {
            throw BuildingBlockError(.invalidArgument, "topic is empty in pubsub \(pubsub)", code: "ERR_TOPIC_NAME_EMPTY")
        }
        let context = CloudEvent.Context(topic: topic, pubsubName: pubsub, source: source, traceparent: traceparent)
        let contentType = contentType.flatMap { $0.isEmpty ? nil : $0 } ?? "application/json"
        let message: [UInt8]
        if metadata["rawPayload"]?.lowercased() == "true" {
            message = data
        } else if contentType.hasPrefix(CloudEvent.contentType) {
            do {
                message = try CloudEvent.adopt(data, context: context)
            } catch {
                throw BuildingBlockError(.invalidArgument, error.message, code: "ERR_PUBSUB_CLOUD_EVENTS_SER")
            }
        } else {
            message = CloudEvent.wrap(data, contentType: contentType, context: context)
        }
        do {
            try await broker.publish(topic: topic, data: message)
        } catch {
            throw BuildingBlockError(
                error.kind, "error when publish to topic \(topic) in pubsub \(pubsub): \(error.message)",
                code: "ERR_PUBSUB_PUBLISH_MESSAGE")
        }
    }

    // MARK: Bindings, secrets, configuration

    /// Invokes an output binding (a pub/sub component is one too: `create` publishes).
    public func invokeBinding(name: String, operation: String, data: [UInt8], metadata: [String: String])
        async throws(BuildingBlockError) -> BindingResponse
    {
        guard let binding = registry.outputBinding(name) else {
            throw BuildingBlockError(.notFound, "couldn't find output binding \(name)", code: "ERR_INVOKE_OUTPUT_BINDING")
        }
        do {
            return try await binding.invoke(operation: operation, data: data, metadata: metadata)
        } catch {
            throw BuildingBlockError(
                error.kind, "error invoking output binding \(name): \(error.message)", code: "ERR_INVOKE_OUTPUT_BINDING")
        }
    }

    public func secretStore(_ name: String) throws(BuildingBlockError) -> any SecretStore {
        guard registry.entries.values.contains(where: { $0.spec.type.hasPrefix("secretstores.") }) else {
            throw BuildingBlockError(.notFound, "secret store is not configured", code: "ERR_SECRET_STORES_NOT_CONFIGURED")
        }
        guard let store = registry.secrets(name) else {
            throw BuildingBlockError(.notFound, "failed finding secret store with key \(name)", code: "ERR_SECRET_STORE_NOT_FOUND")
        }
        return store
    }

    public func secret(store name: String, key: String) async throws(BuildingBlockError) -> [String: String] {
        let store = try secretStore(name)
        do {
            return try await store.secret(key)
        } catch {
            throw BuildingBlockError(
                error.kind, "failed getting secret with key \(key) from secret store \(name): \(error.message)", code: "ERR_SECRET_GET")
        }
    }

    public func conversationModel(_ name: String) throws(BuildingBlockError) -> any ConversationModel {
        guard let model = registry.conversation(name) else {
            throw BuildingBlockError(.notFound, "failed finding conversation component \(name)", code: "ERR_CONVERSATION_NOT_FOUND")
        }
        return model
    }

    public func converse(component name: String, _ request: ConversationRequest) async throws(BuildingBlockError) -> ConversationAnswer {
        let model = try conversationModel(name)
        do {
            return try await model.converse(request)
        } catch {
            throw BuildingBlockError(
                error.kind, "failed conversing with component \(name): \(error.message)", code: "ERR_CONVERSATION_INVOKE")
        }
    }

    public func configuration(store name: String, keys: [String]) async throws(BuildingBlockError) -> [String: ConfigurationItem] {
        guard let store = registry.configuration(name) else {
            throw BuildingBlockError(.notFound, "configuration store \(name) not found", code: "ERR_CONFIGURATION_STORE_NOT_FOUND")
        }
        do {
            return try await store.items(keys)
        } catch {
            throw BuildingBlockError(
                error.kind, "failed to get \(keys) from configuration store \(name): \(error.message)", code: "ERR_CONFIGURATION_GET")
        }
    }
}

/// Dapr's `keyPrefix` metadata: `appid` (default), `name` (the component), `none`, or a
/// literal prefix; keys become `<prefix>||<key>`.
enum KeyPrefix {
    static func prefix(for spec: ResourceSpec, appID: String) -> String {
        switch spec.item("keyPrefix")?.value ?? "appid" {
        case "appid": "\(appID)||"
        case "name": "\(spec.name)||"
        case "none": ""
        case let custom: "\(custom)||"
        }
    }
}
