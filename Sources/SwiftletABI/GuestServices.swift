import SwiftletCore
import SwiftletBlocks

/// What a guest can reach beyond its own request: the building blocks its component is
/// allowed to use, outbound HTTP and other apps. Implemented by the runtime, which knows
/// the component's `uses` list and allowed hosts; every method refuses what is not granted
/// with ``BuildingBlockError/Kind/denied``.
public protocol GuestServices: Sendable {
    /// Runs an async operation while the guest's thread waits, giving up at `deadline`
    /// (``MonotonicClock`` nanoseconds). Host functions are synchronous; backends are not.
    func wait<T: Sendable>(
        until deadline: UInt64?, _ operation: @escaping @Sendable () async throws(BuildingBlockError) -> T
    ) throws(ABIError) -> T

    func stateStore(_ name: String) throws(BuildingBlockError) -> any StateStore
    /// Publishes with Dapr's envelope rules; `metadata` is the publish API's (`rawPayload`).
    func publish(
        pubsub: String, topic: String, data: [UInt8], contentType: String?, metadata: [String: String], traceparent: String?
    ) async throws(BuildingBlockError)
    func secret(store: String, name: String) async throws(BuildingBlockError) -> [String: String]
    func configuration(store: String, keys: [String]) async throws(BuildingBlockError) -> [String: ConfigurationItem]
    func invokeBinding(name: String, operation: String, data: [UInt8], metadata: [String: String]) async throws(BuildingBlockError)
        -> BindingResponse
    /// Outbound HTTP, allowed only to the component's `allowed_outbound_hosts`.
    func send(_ request: OutboundRequest, deadline: UInt64?) async throws(BuildingBlockError) -> GuestResponse
    /// Service invocation: runs on the calling thread (a nested guest call), so a call
    /// chain cannot wait on itself.
    func invoke(appID: String, request: GuestRequest, deadline: UInt64?) throws(BuildingBlockError) -> GuestResponse
    /// A completion from conversation component `component` (in the component's `uses`).
    func converse(component: String, _ request: ConversationRequest) async throws(BuildingBlockError) -> ConversationAnswer
    /// The same, as it is made.
    func stream(component: String, _ request: ConversationRequest) throws(BuildingBlockError)
        -> AsyncThrowingStream<ConversationPiece, any Error>
    /// Tokens (prompt and completion) one request may spend on models in all.
    var tokenBudget: Int { get }
}

/// Services that offer no models (tools, benchmarks): guests calling one get "not found".
extension GuestServices {
    public func converse(component: String, _ request: ConversationRequest) async throws(BuildingBlockError) -> ConversationAnswer {
        throw BuildingBlockError(.notFound, "no conversation component '\(component)'")
    }

    public func stream(component: String, _ request: ConversationRequest) throws(BuildingBlockError)
        -> AsyncThrowingStream<ConversationPiece, any Error>
    {
        throw BuildingBlockError(.notFound, "no conversation component '\(component)'")
    }

    public var tokenBudget: Int { 4096 }
}

/// An HTTP request a guest sends out.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HeaderList
    public var body: [UInt8]
    /// Largest response body accepted.
    public var maxResponseBytes: Int

    public init(method: String, url: String, headers: HeaderList = [], body: [UInt8] = [], maxResponseBytes: Int) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
    }
}

/// The data a host call produced, read with `result_read` / `result_meta` — one slot per
/// call, replaced by the next call that produces data.
public struct GuestResult: Sendable {
    public var body: [UInt8]
    public var metadata: HeaderList

    public init(body: [UInt8], metadata: HeaderList = []) {
        self.body = body
        self.metadata = metadata
    }

    public func meta(_ name: String) -> String? {
        metadata.value(of: name)
    }
}

extension ABIError {
    /// The status a building-block failure has for guests.
    public init(_ error: BuildingBlockError) {
        switch error.kind {
        case .notFound: self = .notFound
        case .conflict: self = .conflict
        case .invalidETag, .invalidArgument, .notSupported: self = .invalid
        case .unavailable: self = .unavailable
        case .timeout: self = .timeout
        case .denied: self = .denied
        case .tooLarge: self = .tooLarge
        case .callDepthExceeded: self = .loop
        case .internalError: self = ABIError(.internal)
        }
    }
}
