import Logging
import SwiftletABI
import SwiftletBuildingBlocks
import SwiftletManifest
import SwiftletOutbound
import SwiftletWasmHost

/// What one Wasm component's guests may reach: the components in its `uses` list, its
/// `allowed_outbound_hosts`, and service invocation. Anything else is refused and logged.
final class ComponentServices: GuestServices {
    let componentID: String
    let appID: String
    let uses: Set<String>
    let outboundHosts: [OutboundHostPattern]
    let registry: ComponentRegistry
    let workers: GuestWorkerPool
    let invoker: AppInvoker
    let logger: Logger

    init(
        componentID: String, appID: String, uses: Set<String>, outboundHosts: [OutboundHostPattern], registry: ComponentRegistry,
        workers: GuestWorkerPool, invoker: AppInvoker, logger: Logger
    ) {
        self.componentID = componentID
        self.appID = appID
        self.uses = uses
        self.outboundHosts = outboundHosts
        self.registry = registry
        self.workers = workers
        self.invoker = invoker
        self.logger = logger
    }

    func wait<T: Sendable>(
        until deadline: UInt64?, _ operation: @escaping @Sendable () async throws(BuildingBlockError) -> T
    ) throws(ABIError) -> T {
        try workers.wait(until: deadline, operation)
    }

    /// The named component if this guest may use it.
    private func granted(_ name: String, _ what: String) throws(BuildingBlockError) -> ComponentRegistry.Entry {
        guard uses.contains(name) else {
            logger.warning("\(componentID) was refused \(what) '\(name)': not in its 'uses' list")
            throw BuildingBlockError(.denied, "\(componentID) may not use '\(name)'")
        }
        guard let entry = registry.entry(name) else {
            throw BuildingBlockError(.notFound, "no component named '\(name)'")
        }
        return entry
    }

    func stateStore(_ name: String) throws(BuildingBlockError) -> any StateStore {
        let entry = try granted(name, "state store")
        guard case .state(let store) = entry.instance else {
            throw BuildingBlockError(.invalidArgument, "'\(name)' is a \(entry.spec.type), not a state store")
        }
        return NamespacedStateStore(store, prefix: KeyPrefix.prefix(for: entry.spec, appID: appID))
    }

    func publish(pubsub: String, topic: String, data: [UInt8], contentType: String, traceparent: String?)
        async throws(BuildingBlockError)
    {
        let entry = try granted(pubsub, "pub/sub")
        guard case .pubsub(let broker) = entry.instance else {
            throw BuildingBlockError(.invalidArgument, "'\(pubsub)' is a \(entry.spec.type), not a pub/sub component")
        }
        let context = CloudEvent.Context(topic: topic, pubsubName: pubsub, source: appID, traceparent: traceparent)
        let envelope = contentType.hasPrefix(CloudEvent.contentType)
            ? try CloudEvent.adopt(data, context: context) : CloudEvent.wrap(data, contentType: contentType, context: context)
        try await broker.publish(topic: topic, data: envelope)
    }

    func secret(store: String, name: String) async throws(BuildingBlockError) -> [String: String] {
        let entry = try granted(store, "secret store")
        guard case .secrets(let secrets) = entry.instance else {
            throw BuildingBlockError(.invalidArgument, "'\(store)' is a \(entry.spec.type), not a secret store")
        }
        return try await secrets.secret(name)
    }

    func configuration(store: String, keys: [String]) async throws(BuildingBlockError) -> [String: ConfigurationItem] {
        let entry = try granted(store, "configuration store")
        guard case .configuration(let configuration) = entry.instance else {
            throw BuildingBlockError(.invalidArgument, "'\(store)' is a \(entry.spec.type), not a configuration store")
        }
        return try await configuration.items(keys)
    }

    func invokeBinding(name: String, operation: String, data: [UInt8], metadata: [String: String])
        async throws(BuildingBlockError) -> BindingResponse
    {
        _ = try granted(name, "binding")
        guard let binding = registry.outputBinding(name) else {
            throw BuildingBlockError(.invalidArgument, "'\(name)' is not an output binding")
        }
        return try await binding.invoke(operation: operation, data: data, metadata: metadata)
    }

    func send(_ request: OutboundRequest, deadline: UInt64?) async throws(BuildingBlockError) -> GuestResponse {
        do {
            return try await OutboundHTTPClient.shared.send(request, allowed: outboundHosts, deadline: deadline)
        } catch {
            if error.kind == .denied { logger.warning("\(componentID): \(error.message)") }
            throw error
        }
    }

    func invoke(appID: String, request: GuestRequest, deadline: UInt64?) throws(BuildingBlockError) -> GuestResponse {
        try invoker.invoke(appID: appID, request: request, deadline: deadline)
    }
}

/// Dapr's `keyPrefix` metadata: `appid` (default), `name` (the component), `none`, or a
/// literal prefix; keys become `<prefix>||<key>`.
enum KeyPrefix {
    static func prefix(for spec: ComponentSpec, appID: String) -> String {
        switch spec.item("keyPrefix")?.value ?? "appid" {
        case "appid": "\(appID)||"
        case "name": "\(spec.name)||"
        case "none": ""
        case let custom: "\(custom)||"
        }
    }
}
