import Logging
import SwiftletABI
import SwiftletBlocks
import SwiftletResources
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
    let registry: ResourceRegistry
    let workers: GuestWorkerPool
    let invoker: AppInvoker
    let logger: Logger
    let tokenBudget: Int

    init(
        componentID: String, appID: String, uses: Set<String>, outboundHosts: [OutboundHostPattern], registry: ResourceRegistry,
        workers: GuestWorkerPool, invoker: AppInvoker, logger: Logger, tokenBudget: Int = 4096
    ) {
        self.tokenBudget = tokenBudget
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

    /// The building blocks as the Dapr APIs see them: a guest differs only in needing a grant.
    private var blocks: AppBuildingBlocks { AppBuildingBlocks(appID: appID, registry: registry) }

    /// Refuses a component not in this guest's `uses` list (and logs who asked for what).
    private func grant(_ name: String, _ what: String) throws(BuildingBlockError) {
        guard uses.contains(name) else {
            logger.warning("\(componentID) was refused \(what) '\(name)': not in its 'uses' list")
            throw BuildingBlockError(.denied, "\(componentID) may not use '\(name)'")
        }
    }

    func stateStore(_ name: String) throws(BuildingBlockError) -> any StateStore {
        try grant(name, "state store")
        return try blocks.stateStore(name)
    }

    func publish(
        pubsub: String, topic: String, data: [UInt8], contentType: String?, metadata: [String: String], traceparent: String?
    ) async throws(BuildingBlockError) {
        try grant(pubsub, "pub/sub")
        try await blocks.publish(
            pubsub: pubsub, topic: topic, data: data, contentType: contentType, metadata: metadata, traceparent: traceparent)
    }

    func secret(store: String, name: String) async throws(BuildingBlockError) -> [String: String] {
        try grant(store, "secret store")
        return try await blocks.secret(store: store, key: name)
    }

    func configuration(store: String, keys: [String]) async throws(BuildingBlockError) -> [String: ConfigurationItem] {
        try grant(store, "configuration store")
        return try await blocks.configuration(store: store, keys: keys)
    }

    func converse(component: String, _ request: ConversationRequest) async throws(BuildingBlockError) -> ConversationAnswer {
        try grant(component, "conversation component")
        return try await blocks.converse(component: component, request)
    }

    func stream(component: String, _ request: ConversationRequest) throws(BuildingBlockError)
        -> AsyncThrowingStream<ConversationPiece, any Error>
    {
        try grant(component, "conversation component")
        return try blocks.conversationModel(component).stream(request)
    }

    func invokeBinding(name: String, operation: String, data: [UInt8], metadata: [String: String])
        async throws(BuildingBlockError) -> BindingResponse
    {
        try grant(name, "binding")
        return try await blocks.invokeBinding(name: name, operation: operation, data: data, metadata: metadata)
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
