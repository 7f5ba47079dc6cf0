import CoreMetrics
import Logging
import SwiftletBlocks
import SwiftletManifest

/// Where components live and who uses them.
public struct ResourceContext: Sendable {
    /// The app id: state keys are prefixed with it, it is the CloudEvent `source`.
    public var appID: String
    /// Directory for embedded backends' files (`.swiftlet/` beside the manifest).
    public var stateDirectory: String
    /// Directory relative paths in component metadata are resolved against.
    public var baseDirectory: String
    public var logger: Logger

    public init(appID: String, stateDirectory: String, baseDirectory: String, logger: Logger) {
        self.appID = appID
        self.stateDirectory = stateDirectory
        self.baseDirectory = baseDirectory
        self.logger = logger
    }
}

/// Creates components of the types it lists.
public protocol ResourceFactory: Sendable {
    var types: [String] { get }
    /// Builds and connects the component. Configuration mistakes and unreachable backends
    /// are ``ManifestError``s located at the offending field.
    func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource
}

/// The loaded components of an app.
public final class ResourceRegistry: Sendable {
    public struct Entry: Sendable {
        public let spec: ResourceSpec
        public let instance: Resource
    }

    public let entries: [String: Entry]
    public let appID: String

    init(entries: [String: Entry], appID: String) {
        self.entries = entries
        self.appID = appID
    }

    /// Instantiates `specs` scoped to the app: secret stores first, so that other
    /// components' `secretKeyRef`s resolve through them. State and pub/sub operations are
    /// counted through `metrics`.
    public static func load(
        _ specs: [ResourceSpec], factories: [any ResourceFactory], context: ResourceContext,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) async throws(ManifestError) -> ResourceRegistry {
        var byType: [String: any ResourceFactory] = [:]
        for factory in factories {
            for type in factory.types { byType[type] = factory }
        }
        let scoped = specs.filter { $0.scoped(to: context.appID) }
        for spec in scoped where byType[spec.type] == nil {
            let known = byType.keys.sorted().joined(separator: ", ")
            throw spec.typeLocation.error("unknown component type '\(spec.type)'; supported: \(known)")
        }
        var entries: [String: Entry] = [:]
        let ordered = scoped.filter { $0.type.hasPrefix("secretstores.") } + scoped.filter { !$0.type.hasPrefix("secretstores.") }
        do {
            for spec in ordered {
                let values = try await resolve(spec, secretStores: entries)
                let settings = ResourceSettings(spec: spec, values: values)
                let instance = try await byType[spec.type]!.make(settings, context: context)
                    .metered(name: spec.name, factory: metrics)
                entries[spec.name] = Entry(spec: spec, instance: instance)
                context.logger.info("component \(spec.name) (\(spec.type)) ready")
            }
        } catch {
            await ResourceRegistry(entries: entries, appID: context.appID).close()
            throw error
        }
        return ResourceRegistry(entries: entries, appID: context.appID)
    }

    /// Metadata values with `secretKeyRef`s replaced by the secrets they name.
    static func resolve(_ spec: ResourceSpec, secretStores: [String: Entry]) async throws(ManifestError) -> [String: String] {
        var values: [String: String] = [:]
        for item in spec.metadata {
            if let value = item.value {
                values[item.name] = value
                continue
            }
            guard let reference = item.secretKeyRef else { continue }
            let stores = secretStores.values.compactMap { entry -> (String, any SecretStore)? in
                if case .secrets(let store) = entry.instance { return (entry.spec.name, store) }
                return nil
            }
            let storeName = spec.secretStore ?? (stores.count == 1 ? stores[0].0 : nil)
            guard let storeName, let store = stores.first(where: { $0.0 == storeName })?.1 else {
                throw item.location.error(
                    spec.secretStore.map { "secret store '\($0)' is not defined" }
                        ?? "secretKeyRef needs auth.secretStore naming a secret store component")
            }
            let secret: [String: String]
            do {
                secret = try await store.secret(reference.name)
            } catch {
                throw item.location.error("secret '\(reference.name)' not found in '\(storeName)': \(error.message)")
            }
            guard let value = secret[reference.key ?? reference.name] ?? (reference.key == nil ? secret.values.first : nil) else {
                throw item.location.error("secret '\(reference.name)' has no key '\(reference.key ?? reference.name)'")
            }
            values[item.name] = value
        }
        return values
    }

    public func entry(_ name: String) -> Entry? { entries[name] }

    public func state(_ name: String) -> (any StateStore)? {
        if case .state(let store)? = entries[name]?.instance { return store }
        return nil
    }

    /// Where jobs are kept: the state store marked `actorStateStore: "true"` (as Dapr marks
    /// the store its actors and reminders use), else the first state store by name.
    public var jobStore: (name: String, store: any StateStore)? {
        let stores = entries.keys.sorted().compactMap { name in state(name).map { (name: name, store: $0) } }
        let marked = stores.first { entries[$0.name]?.spec.item("actorStateStore")?.value?.lowercased() == "true" }
        return marked ?? stores.first
    }

    public func pubsub(_ name: String) -> (any PubSubBackend)? {
        if case .pubsub(let backend)? = entries[name]?.instance { return backend }
        return nil
    }

    public func secrets(_ name: String) -> (any SecretStore)? {
        if case .secrets(let store)? = entries[name]?.instance { return store }
        return nil
    }

    public func configuration(_ name: String) -> (any ConfigurationStore)? {
        if case .configuration(let store)? = entries[name]?.instance { return store }
        return nil
    }

    public func conversation(_ name: String) -> (any ConversationModel)? {
        if case .conversation(let model)? = entries[name]?.instance { return model }
        return nil
    }

    /// An output binding, or the output side of a pub/sub component (operation `create`
    /// publishes to metadata `topic`).
    public func outputBinding(_ name: String) -> (any OutputBinding)? {
        switch entries[name]?.instance {
        case .outputBinding(let binding)?: return binding
        case .pubsub(let backend)?: return PubSubOutputBinding(backend: backend, pubsubName: name, appID: appID)
        default: return nil
        }
    }

    public var inputBindings: [(name: String, binding: any InputBinding)] {
        entries.values.compactMap { entry in
            if case .inputBinding(let binding) = entry.instance { return (entry.spec.name, binding) }
            return nil
        }.sorted { $0.name < $1.name }
    }

    public func close() async {
        for entry in entries.values {
            switch entry.instance {
            case .state(let store): await store.close()
            case .pubsub(let backend): await backend.close()
            default: break
            }
        }
    }
}

/// A pub/sub component used as an output binding: `create` publishes `data` to the topic in
/// metadata `topic` with the same envelope rules as the publish API (`contentType`,
/// `rawPayload`).
struct PubSubOutputBinding: OutputBinding {
    let backend: any PubSubBackend
    let pubsubName: String
    let appID: String

    var operations: [String] { ["create"] }

    func invoke(operation: String, data: [UInt8], metadata: [String: String]) async throws(BuildingBlockError)
        -> BindingResponse
    {
        guard operation == "create" else {
            throw BuildingBlockError(.invalidArgument, "pub/sub bindings support operation 'create', not '\(operation)'")
        }
        guard let topic = metadata["topic"], !topic.isEmpty else {
            throw BuildingBlockError(.invalidArgument, "publishing through a binding needs metadata 'topic'")
        }
        try await AppBuildingBlocks.publish(
            to: backend, pubsub: pubsubName, topic: topic, data: data, contentType: metadata["contentType"],
            metadata: metadata, source: appID, traceparent: nil)
        return BindingResponse(data: [])
    }
}
