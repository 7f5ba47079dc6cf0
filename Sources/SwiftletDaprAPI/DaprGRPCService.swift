import SwiftletCore
import Foundation
import GRPCCore
import SwiftProtobuf
import SwiftletABI
import SwiftletBlocks
import SwiftletResources
import SwiftletDaprProto

typealias Proto = Dapr_Proto_Runtime_V1_Dapr

/// Dapr's gRPC API (`dapr.proto.runtime.v1.Dapr`): the methods Dapr SDKs use for state,
/// pub/sub, bindings, secrets, configuration, metadata and invocation. Methods not listed
/// in proto/ answer UNIMPLEMENTED, as gRPC does for unknown methods.
public struct DaprGRPCService: Proto.SimpleServiceProtocol {
    let api: DaprAPI

    public init(api: DaprAPI) {
        self.api = api
    }

    public func invokeService(request: Dapr_Proto_Runtime_V1_InvokeServiceRequest, context: ServerContext) async throws
        -> Dapr_Proto_Common_V1_InvokeResponse
    {
        try await run {
            let message = request.message
            let verb = message.httpExtension.verb == .none ? "POST" : "\(message.httpExtension.verb)".uppercased()
            var headers: HeaderList = []
            if !message.contentType.isEmpty { headers.append(("content-type", message.contentType)) }
            headers += TraceContextInterceptor.headers
            let response = try await api.invoke(
                appID: request.id,
                GuestRequest(
                    method: verb, path: "/" + message.method, query: message.httpExtension.querystring, headers: headers,
                    body: [UInt8](message.data.value), origin: RequestOrigin(requestID: UUID().uuidString)))
            var reply = Dapr_Proto_Common_V1_InvokeResponse()
            reply.data.value = Data(response.body)
            reply.contentType = response.headers.first { $0.name == "content-type" }?.value ?? ""
            return reply
        }
    }

    public func getState(request: Dapr_Proto_Runtime_V1_GetStateRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_GetStateResponse
    {
        try await run {
            var reply = Dapr_Proto_Runtime_V1_GetStateResponse()
            if let item = try await api.getState(store: request.storeName, key: request.key) {
                reply.data = Data(item.value)
                reply.etag = item.etag
            }
            return reply
        }
    }

    public func getBulkState(request: Dapr_Proto_Runtime_V1_GetBulkStateRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_GetBulkStateResponse
    {
        try await run {
            let items = try await api.bulkGet(store: request.storeName, keys: request.keys)
            var reply = Dapr_Proto_Runtime_V1_GetBulkStateResponse()
            reply.items = request.keys.map { key in
                var entry = Dapr_Proto_Runtime_V1_BulkStateItem()
                entry.key = key
                if let item = items[key] {
                    entry.data = Data(item.value)
                    entry.etag = item.etag
                }
                return entry
            }
            return reply
        }
    }

    public func saveState(request: Dapr_Proto_Runtime_V1_SaveStateRequest, context: ServerContext) async throws
        -> Google_Protobuf_Empty
    {
        try await run {
            try await api.saveState(store: request.storeName, try request.states.map(Self.setRequest))
            return Google_Protobuf_Empty()
        }
    }

    public func deleteState(request: Dapr_Proto_Runtime_V1_DeleteStateRequest, context: ServerContext) async throws
        -> Google_Protobuf_Empty
    {
        try await run {
            try await api.deleteState(
                store: request.storeName,
                StateDeleteRequest(
                    key: request.key, etag: request.hasEtag ? request.etag.value : nil,
                    concurrency: Self.concurrency(request.options)))
            return Google_Protobuf_Empty()
        }
    }

    public func deleteBulkState(request: Dapr_Proto_Runtime_V1_DeleteBulkStateRequest, context: ServerContext) async throws
        -> Google_Protobuf_Empty
    {
        try await run {
            for item in request.states {
                try await api.deleteState(
                    store: request.storeName,
                    StateDeleteRequest(key: item.key, etag: item.hasEtag ? item.etag.value : nil, concurrency: Self.concurrency(item.options)))
            }
            return Google_Protobuf_Empty()
        }
    }

    public func executeStateTransaction(request: Dapr_Proto_Runtime_V1_ExecuteStateTransactionRequest, context: ServerContext)
        async throws -> Google_Protobuf_Empty
    {
        try await run {
            var operations: [StateOperation] = []
            for operation in request.operations {
                let item = operation.request
                switch operation.operationType {
                case "upsert": operations.append(.upsert(try Self.setRequest(item)))
                case "delete":
                    operations.append(.delete(StateDeleteRequest(
                        key: item.key, etag: item.hasEtag ? item.etag.value : nil, concurrency: Self.concurrency(item.options))))
                default:
                    throw DaprError(400, .invalidArgument, "ERR_NOT_SUPPORTED_STATE_OPERATION", "operation type \(operation.operationType) not supported")
                }
            }
            try await api.transact(store: request.storeName, operations)
            return Google_Protobuf_Empty()
        }
    }

    public func publishEvent(request: Dapr_Proto_Runtime_V1_PublishEventRequest, context: ServerContext) async throws
        -> Google_Protobuf_Empty
    {
        try await run {
            try await api.publish(
                pubsub: request.pubsubName, topic: request.topic, data: [UInt8](request.data), contentType: request.dataContentType,
                metadata: request.metadata, traceparent: TraceContextInterceptor.traceparent)
            return Google_Protobuf_Empty()
        }
    }

    public func bulkPublishEvent(request: Dapr_Proto_Runtime_V1_BulkPublishRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_BulkPublishResponse
    {
        try await run {
            var reply = Dapr_Proto_Runtime_V1_BulkPublishResponse()
            for entry in request.entries {
                do {
                    try await api.publish(
                        pubsub: request.pubsubName, topic: request.topic, data: [UInt8](entry.event), contentType: entry.contentType,
                        metadata: request.metadata.merging(entry.metadata) { $1 },
                        traceparent: TraceContextInterceptor.traceparent)
                } catch let error as DaprError where error.errorCode == "ERR_PUBSUB_PUBLISH_MESSAGE" {
                    var failed = Dapr_Proto_Runtime_V1_BulkPublishResponseFailedEntry()
                    failed.entryID = entry.entryID
                    failed.error = error.message
                    reply.failedEntries.append(failed)
                }
            }
            return reply
        }
    }

    public func invokeBinding(request: Dapr_Proto_Runtime_V1_InvokeBindingRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_InvokeBindingResponse
    {
        try await run {
            let response = try await api.invokeBinding(
                name: request.name, operation: request.operation, data: [UInt8](request.data), metadata: request.metadata)
            var reply = Dapr_Proto_Runtime_V1_InvokeBindingResponse()
            reply.data = Data(response.data)
            reply.metadata = response.metadata
            return reply
        }
    }

    public func getSecret(request: Dapr_Proto_Runtime_V1_GetSecretRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_GetSecretResponse
    {
        try await run {
            var reply = Dapr_Proto_Runtime_V1_GetSecretResponse()
            reply.data = try await api.secret(store: request.storeName, key: request.key)
            return reply
        }
    }

    public func getBulkSecret(request: Dapr_Proto_Runtime_V1_GetBulkSecretRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_GetBulkSecretResponse
    {
        try await run {
            var reply = Dapr_Proto_Runtime_V1_GetBulkSecretResponse()
            for (name, values) in try await api.bulkSecrets(store: request.storeName) {
                var secret = Dapr_Proto_Runtime_V1_SecretResponse()
                secret.secrets = values
                reply.data[name] = secret
            }
            return reply
        }
    }

    public func getConfiguration(request: Dapr_Proto_Runtime_V1_GetConfigurationRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_GetConfigurationResponse
    {
        try await run {
            var reply = Dapr_Proto_Runtime_V1_GetConfigurationResponse()
            for (key, item) in try await api.configuration(store: request.storeName, keys: request.keys) {
                var entry = Dapr_Proto_Common_V1_ConfigurationItem()
                entry.value = item.value
                entry.version = item.version
                entry.metadata = item.metadata
                reply.items[key] = entry
            }
            return reply
        }
    }

    public func getConfigurationAlpha1(request: Dapr_Proto_Runtime_V1_GetConfigurationRequest, context: ServerContext)
        async throws -> Dapr_Proto_Runtime_V1_GetConfigurationResponse
    {
        try await getConfiguration(request: request, context: context)
    }

    public func getMetadata(request: Dapr_Proto_Runtime_V1_GetMetadataRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_GetMetadataResponse
    {
        var reply = Dapr_Proto_Runtime_V1_GetMetadataResponse()
        reply.id = api.appID
        reply.runtimeVersion = DaprAPI.runtimeVersion
        reply.extendedMetadata = api.extended
        reply.registeredComponents = api.components.map { component in
            var entry = Dapr_Proto_Runtime_V1_RegisteredComponents()
            entry.name = component.name
            entry.type = component.type
            entry.version = component.version
            entry.capabilities = component.capabilities
            return entry
        }
        reply.subscriptions = api.subscriptionList.map { subscription in
            var entry = Dapr_Proto_Runtime_V1_PubsubSubscription()
            entry.pubsubName = subscription.pubsubName
            entry.topic = subscription.topic
            entry.deadLetterTopic = subscription.deadLetterTopic ?? ""
            entry.rules.rules = subscription.routes.listed.map { listed in
                var rule = Dapr_Proto_Runtime_V1_PubsubSubscriptionRule()
                rule.match = listed.match
                rule.path = listed.path
                return rule
            }
            entry.type = .programmatic
            return entry
        }
        if let port = api.appConnectionPort {
            reply.appConnectionProperties.port = Int32(port)
            reply.appConnectionProperties.protocol = "http"
            reply.appConnectionProperties.channelAddress = "127.0.0.1"
        }
        return reply
    }

    public func setMetadata(request: Dapr_Proto_Runtime_V1_SetMetadataRequest, context: ServerContext) async throws
        -> Google_Protobuf_Empty
    {
        Google_Protobuf_Empty()
    }

    public func converseAlpha1(request: Dapr_Proto_Runtime_V1_ConversationRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_ConversationResponse
    {
        try await run { try await api.converseAlpha1(request) }
    }

    public func converseAlpha2(request: Dapr_Proto_Runtime_V1_ConversationRequestAlpha2, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_ConversationResponseAlpha2
    {
        try await run { try await api.converseAlpha2(request) }
    }

    // MARK: Helpers

    /// Runs a method, turning ``DaprError`` into the gRPC status Dapr uses.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DaprError {
            throw RPCError(code: error.grpcCode.rpcCode, message: error.message)
        }
    }

    static func setRequest(_ item: Dapr_Proto_Common_V1_StateItem) throws(DaprError) -> StateSetRequest {
        var ttl: Int?
        if let text = item.metadata["ttlInSeconds"] {
            guard let seconds = Int(text) else { throw DaprError.malformed("ttlInSeconds must be a number") }
            ttl = seconds > 0 ? seconds : nil
        }
        return StateSetRequest(
            key: item.key, value: [UInt8](item.value), etag: item.hasEtag && !item.etag.value.isEmpty ? item.etag.value : nil,
            concurrency: concurrency(item.options), ttlSeconds: ttl)
    }

    static func concurrency(_ options: Dapr_Proto_Common_V1_StateOptions) -> StateConcurrency {
        options.concurrency == .concurrencyFirstWrite ? .firstWrite : .lastWrite
    }
}

extension DaprError.GRPCCode {
    var rpcCode: RPCError.Code {
        switch self {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .aborted: .aborted
        case .internalError: .internalError
        case .unavailable: .unavailable
        case .unauthenticated: .unauthenticated
        case .deadlineExceeded: .deadlineExceeded
        case .permissionDenied: .permissionDenied
        case .failedPrecondition: .failedPrecondition
        case .alreadyExists: .alreadyExists
        }
    }
}

/// `DAPR_API_TOKEN` for gRPC: the `dapr-api-token` metadata must carry it.
public struct APITokenInterceptor: ServerInterceptor {
    let token: String

    public init(token: String) {
        self.token = token
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard request.metadata[stringValues: "dapr-api-token"].first(where: { _ in true }) == token else {
            throw RPCError(code: .unauthenticated, message: "authentication error: api token mismatch")
        }
        return try await next(request, context)
    }
}

/// Carries a call's W3C trace context (`traceparent`, `tracestate` metadata) to the handler,
/// which passes it on with invocations and publishes as the HTTP API does with headers.
public struct TraceContextInterceptor: ServerInterceptor {
    @TaskLocal static var headers: HeaderList = []

    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        var headers: HeaderList = []
        for name in ["traceparent", "tracestate"] {
            if let value = request.metadata[stringValues: name].first(where: { _ in true }) { headers.append((name, value)) }
        }
        guard !headers.isEmpty else { return try await next(request, context) }
        return try await Self.$headers.withValue(headers) { try await next(request, context) }
    }

    static var traceparent: String? { headers.first { $0.name == "traceparent" }?.value }
}
