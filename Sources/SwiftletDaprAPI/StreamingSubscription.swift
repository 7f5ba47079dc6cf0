import Foundation
import GRPCCore
import Logging
import ServiceLifecycle
import SwiftProtobuf
import SwiftletABI
import SwiftletBlocks
import SwiftletCore
import SwiftletDaprProto
import SwiftletEventTriggers

typealias SubscribeRequest = Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestAlpha1
typealias SubscribeResponse = Dapr_Proto_Runtime_V1_SubscribeTopicEventsResponseAlpha1

/// `SubscribeTopicEventsAlpha1`: a subscription that lives as long as the client's stream
/// (the Python SDK's `subscribe`). The client names the topic first; Swiftlet answers with
/// an initial response, then sends each event and waits for the client to settle it by id,
/// with the same retries, dead-lettering and at-least-once delivery as any subscription.
/// Streams on one topic share a consumer group, so they split its events between them.
extension DaprGRPCService {
    public func subscribeTopicEventsAlpha1(
        request: RPCAsyncSequence<Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestAlpha1, any Error>,
        response: RPCWriter<Dapr_Proto_Runtime_V1_SubscribeTopicEventsResponseAlpha1>, context: ServerContext
    ) async throws {
        var messages = request.makeAsyncIterator()
        guard case .initialRequest(let initial)? = try await messages.next()?.subscribeTopicEventsRequestType else {
            throw RPCError(code: .invalidArgument, message: "initial request is required")
        }
        guard !initial.pubsubName.isEmpty else { throw RPCError(code: .invalidArgument, message: "pubsubName is required") }
        guard !initial.topic.isEmpty else { throw RPCError(code: .invalidArgument, message: "topic is required") }
        guard let broker = api.registry.pubsub(initial.pubsubName) else {
            throw RPCError(code: .invalidArgument, message: "pubsub \(initial.pubsubName) is not found")
        }
        let group = "\(api.appID)-stream-\(initial.topic)".map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? String($0) : "_" }.joined()
        // The consumer group exists before the client hears back, so an event published
        // right after `subscribe` returns is the subscription's.
        do {
            await (try await broker.consumer(topic: initial.topic, group: group, options: ConsumerOptions())).close()
        } catch {
            throw RPCError(code: .unavailable, message: "pubsub \(initial.pubsubName): \(error.message)")
        }
        var hello = SubscribeResponse()
        hello.initialResponse = Dapr_Proto_Runtime_V1_SubscribeTopicEventsResponseInitialAlpha1()
        try await response.write(hello)

        let destination = StreamDestination(writer: response, pubsub: initial.pubsubName, topic: initial.topic)
        let trigger = SubscriptionTrigger(
            settings: SubscriptionTrigger.Settings(
                pubsubName: initial.pubsubName, topic: initial.topic, group: group, routes: TopicRoutes(path: "/"),
                deadLetterTopic: initial.hasDeadLetterTopic && !initial.deadLetterTopic.isEmpty ? initial.deadLetterTopic : nil),
            broker: broker, destination: destination, appID: api.appID, logger: Logger(label: "swiftlet.subscribe"))
        let delivering = Task { await trigger.loop() }
        defer {
            delivering.cancel()
            destination.acks.closeAll()
        }
        // The stream ends when the client closes it, or when the server shuts down (which
        // would otherwise wait for every open stream).
        try await withGracefulShutdownHandler {
            while let message = try await messages.next() {
                guard case .eventProcessed(let processed)? = message.subscribeTopicEventsRequestType else {
                    throw RPCError(code: .invalidArgument, message: "duplicate initial request received")
                }
                destination.acks.settle(processed.id, processed.status.status)
            }
        } onGracefulShutdown: {
            context.cancellation.cancel()
        }
    }
}

/// Sends events down one stream and waits for the client's answer for each.
struct StreamDestination: EventDestination {
    typealias Status = Dapr_Proto_Runtime_V1_TopicEventResponse.TopicEventResponseStatus

    let writer: RPCWriter<SubscribeResponse>
    let pubsub: String
    let topic: String
    let acks = StreamAcks()
    /// Concurrent deliveries take turns writing to the stream.
    let writing = AsyncLock()
    /// How long an event waits for the client's answer before it is retried.
    static let answerTimeout: Duration = .seconds(60)

    var name: String { "stream \(topic)" }

    func deliver(_ request: GuestRequest) async -> EventOutcome {
        var message = SubscribeResponse()
        message.eventMessage = StreamEvents.message(request.body, pubsub: pubsub, topic: topic, path: request.path)
        let id = message.eventMessage.id
        let answer = acks.expect(id)
        do {
            try await writing.withLock { try await writer.write(message) }
        } catch {
            acks.cancel(id)
            return .retry("the stream is closed: \(error)")
        }
        let status = await withTaskGroup(of: Status?.self) { group in
            group.addTask { await answer.value }
            group.addTask {
                try? await Task.sleep(for: Self.answerTimeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        acks.cancel(id)
        switch status {
        case .success?: return .success
        case .drop?: return .drop("the subscriber answered DROP")
        case .retry?: return .retry("the subscriber answered RETRY")
        case .UNRECOGNIZED(let value)?: return .retry("the subscriber answered status \(value)")
        case nil: return .retry("the subscriber did not answer (or the stream closed)")
        }
    }
}

/// Answers awaited by event id.
final class StreamAcks: Sendable {
    typealias Status = StreamDestination.Status

    private struct State {
        var waiting: [String: CheckedContinuation<Status?, Never>] = [:]
        var early: [String: Status] = [:]
        var closed = false
    }

    private let state = Locked(State())

    /// A task that ends with the answer for `id` (nil if the stream closes first).
    func expect(_ id: String) -> Task<Status?, Never> {
        Task {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Status?? in
                    if state.closed { return .some(nil) }
                    if let status = state.early.removeValue(forKey: id) { return .some(status) }
                    state.waiting[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    func settle(_ id: String, _ status: Status) {
        let waiter = state.withLock { state -> CheckedContinuation<Status?, Never>? in
            if let waiter = state.waiting.removeValue(forKey: id) { return waiter }
            // The answer came before the waiter registered; keep it briefly (bounded).
            if state.early.count < 1024 { state.early[id] = status }
            return nil
        }
        waiter?.resume(returning: status)
    }

    func cancel(_ id: String) {
        let waiter = state.withLock { state in
            state.early[id] = nil
            return state.waiting.removeValue(forKey: id)
        }
        waiter?.resume(returning: nil)
    }

    func closeAll() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}

/// CloudEvents as `TopicEventRequest`s: core attributes as fields, the rest as extensions,
/// `data` as bytes (JSON data serialized, text as is, `data_base64` decoded).
enum StreamEvents {
    static let core: Set<String> = [
        "id", "source", "type", "specversion", "datacontenttype", "data", "data_base64", "topic", "pubsubname",
    ]

    static func message(_ body: [UInt8], pubsub: String, topic: String, path: String) -> Dapr_Proto_Runtime_V1_TopicEventRequest {
        var event = Dapr_Proto_Runtime_V1_TopicEventRequest()
        event.topic = topic
        event.pubsubName = pubsub
        event.path = path
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            // Not a CloudEvent (a raw payload): the bytes are the data.
            event.id = UUID().uuidString
            event.data = Data(body)
            event.specVersion = "1.0"
            return event
        }
        event.id = object["id"] as? String ?? UUID().uuidString
        event.source = object["source"] as? String ?? ""
        event.type = object["type"] as? String ?? ""
        event.specVersion = object["specversion"] as? String ?? "1.0"
        event.dataContentType = object["datacontenttype"] as? String ?? "application/json"
        if let encoded = object["data_base64"] as? String {
            event.data = Data(base64Encoded: encoded) ?? Data()
        } else if let text = object["data"] as? String, !CloudEvent.isJSON(event.dataContentType) {
            event.data = Data(text.utf8)
        } else if let data = object["data"] {
            event.data = (try? JSONSerialization.data(withJSONObject: data, options: [.fragmentsAllowed])) ?? Data()
        }
        var extensions = Google_Protobuf_Struct()
        for (key, value) in object where !core.contains(key) {
            if let text = value as? String { extensions.fields[key] = Google_Protobuf_Value(stringValue: text) }
        }
        event.extensions = extensions
        return event
    }
}
