import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwiftletBlocks

/// `conversation.openai`: any OpenAI-compatible chat-completions endpoint (OpenAI, a local
/// llama.cpp or vLLM server...).
public struct OpenAIConversation: ConversationModel {
    /// The server's base URL, e.g. `https://api.openai.com/v1`.
    public let endpoint: String
    public let model: String
    /// Sent as a bearer token when not empty (local servers usually need none).
    let key: String
    let timeout: TimeAmount
    /// Sent when a request names no limit (Dapr's SDKs cannot: some servers then write
    /// until their context is full).
    let defaultMaxTokens: Int?
    let client: HTTPClient
    /// The largest answer read from the server, whole or streamed.
    static let maxResponseBytes = 16 << 20

    public init(
        endpoint: String, model: String, key: String, timeout: TimeAmount, defaultMaxTokens: Int? = nil, client: HTTPClient = .shared
    ) {
        self.defaultMaxTokens = defaultMaxTokens
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.model = model
        self.key = key
        self.timeout = timeout
        self.client = client
    }

    public func converse(_ request: ConversationRequest) async throws(BuildingBlockError) -> ConversationAnswer {
        let response = try await send(request, stream: false)
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            throw BuildingBlockError(.unavailable, "reading the model server's answer failed: \(error)")
        }
        guard let object = OpenAIChatWire.object(bytes.readableBytesView) else {
            throw BuildingBlockError(.internalError, "the model server's answer is not a JSON object")
        }
        return try OpenAIChatWire.answer(object)
    }

    public func stream(_ request: ConversationRequest) -> AsyncThrowingStream<ConversationPiece, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await send(request, stream: true)
                    var parser = ServerSentEventParser()
                    var assembler = OpenAIChatWire.StreamAssembler()
                    var received = 0
                    events: for try await buffer in response.body {
                        received += buffer.readableBytes
                        guard received <= Self.maxResponseBytes else {
                            throw BuildingBlockError(.tooLarge, "the model server streamed more than \(Self.maxResponseBytes) bytes")
                        }
                        for event in try parser.feed(buffer.readableBytesView) {
                            if event == "[DONE]" { break events }
                            guard let chunk = OpenAIChatWire.object(Array(event.utf8)) else { continue }
                            let text = assembler.feed(chunk)
                            if !text.isEmpty { continuation.yield(ConversationPiece(text: text)) }
                        }
                    }
                    continuation.yield(assembler.last)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func send(_ request: ConversationRequest, stream: Bool) async throws(BuildingBlockError) -> HTTPClientResponse {
        var http = HTTPClientRequest(url: endpoint + "/chat/completions")
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        if !key.isEmpty { http.headers.add(name: "authorization", value: "Bearer \(key)") }
        var request = request
        if request.maxTokens == nil { request.maxTokens = defaultMaxTokens }
        http.body = .bytes(try OpenAIChatWire.body(request, model: model, stream: stream))
        var limit = timeout
        if let left = request.timeLimit {
            guard left > 0 else { throw BuildingBlockError(.timeout, "the request's deadline passed before the model was called") }
            limit = min(limit, .milliseconds(Int64(left * 1000)))
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(http, timeout: limit)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw BuildingBlockError(.timeout, "the model server did not answer within \(limit.nanoseconds / 1_000_000) ms")
        } catch {
            throw BuildingBlockError(.unavailable, "cannot reach the model server at \(endpoint): \(error)")
        }
        guard response.status == .ok else {
            let detail = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            throw BuildingBlockError(.unavailable, "the model server answered \(response.status.code): \(detail)")
        }
        return response
    }
}
