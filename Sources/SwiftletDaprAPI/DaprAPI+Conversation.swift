import Foundation
import SwiftletBlocks
import SwiftletDaprProto

/// Dapr's Conversation API (alpha1, alpha2) and Swiftlet's streaming extension, on Dapr's
/// wire messages; the HTTP and gRPC front ends both call these.
extension DaprAPI {
    func converseAlpha1(_ message: ConversationRequestAlpha1Message) async throws(DaprError) -> ConversationResponseAlpha1Message {
        let model = try conversationModel(message.name)
        let answer = try await converse(model, message.name, try ConversationMessages.request(message))
        return ConversationMessages.response(answer, to: message)
    }

    func converseAlpha2(_ message: ConversationRequestAlpha2Message) async throws(DaprError) -> ConversationResponseAlpha2Message {
        let model = try conversationModel(message.name)
        let answer = try await converse(model, message.name, try ConversationMessages.request(message))
        return ConversationMessages.response(answer, to: message)
    }

    /// The completion as it is made: one response per piece of text, the last with the
    /// finish reason, tool calls and usage. Validation errors are thrown before the stream.
    func converseStreamAlpha2(_ message: ConversationRequestAlpha2Message) throws(DaprError)
        -> AsyncThrowingStream<ConversationResponseAlpha2Message, any Error>
    {
        let model = try conversationModel(message.name)
        let pieces = model.stream(try ConversationMessages.request(message))
        let name = message.name
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await piece in pieces {
                        continuation.yield(ConversationMessages.response(piece, to: message))
                    }
                    continuation.finish()
                } catch {
                    let failure = (error as? BuildingBlockError) ?? BuildingBlockError(.internalError, "\(error)")
                    continuation.finish(throwing: Self.invokeError(name, failure))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func conversationModel(_ name: String) throws(DaprError) -> any ConversationModel {
        do {
            return try blocks.conversationModel(name)
        } catch {
            throw DaprError.from(error, "ERR_CONVERSATION_NOT_FOUND")
        }
    }

    private func converse(_ model: any ConversationModel, _ name: String, _ request: ConversationRequest) async throws(DaprError)
        -> ConversationAnswer
    {
        do {
            return try await model.converse(request)
        } catch {
            throw Self.invokeError(name, error)
        }
    }

    static func invokeError(_ name: String, _ error: BuildingBlockError) -> DaprError {
        DaprError(500, error.kind == .timeout ? .deadlineExceeded : .internalError, "ERR_CONVERSATION_INVOKE",
            "failed conversing with component \(name): \(error.message)")
    }
}
