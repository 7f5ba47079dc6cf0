import SwiftletBlocks

/// `conversation.echo`, Dapr's test model: answers with its input, calls every tool it is
/// offered, and counts words as tokens. Exact answers make the API testable without a model.
///
/// The answer is every message's text in order, joined by newlines (a tool's answer as
/// `Tool Response for tool ID '<id>' with name '<name>': <text>`); one tool call per
/// offered tool (id: its index, arguments: its schema's property names, sorted, joined by
/// commas), then the tool calls of earlier assistant messages; finish reason `tool_calls`
/// when there are any, else `stop`; prompt and completion tokens both the answer's words.
public struct EchoConversation: ConversationModel {
    public init() {}

    public func converse(_ request: ConversationRequest) async throws(BuildingBlockError) -> ConversationAnswer {
        var pieces: [String] = []
        for message in request.messages {
            if message.role == .tool {
                pieces += message.content.map {
                    "Tool Response for tool ID '\(message.toolCallID)' with name '\(message.name)': \($0)"
                }
            } else {
                pieces += message.content
            }
        }
        let content = pieces.joined(separator: "\n")
        var calls = request.tools.enumerated().map { index, tool in
            ToolCall(id: String(index), name: tool.name, arguments: tool.parameterNames.sorted().joined(separator: ","))
        }
        calls += request.messages.filter { $0.role == .assistant }.flatMap(\.toolCalls)
        let words = UInt64(content.split(whereSeparator: { $0.isWhitespace }).count)
        return ConversationAnswer(
            content: content, toolCalls: calls, finishReason: calls.isEmpty ? "stop" : "tool_calls",
            usage: ConversationUsage(promptTokens: words, completionTokens: words))
    }

    /// Streams the answer a word at a time, so streaming clients see several pieces.
    public func stream(_ request: ConversationRequest) -> AsyncThrowingStream<ConversationPiece, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let answer = try await converse(request)
                    var rest = Substring(answer.content)
                    while !rest.isEmpty {
                        // Each piece is one word with the spaces after it.
                        let wordEnd = rest.firstIndex(where: { $0.isWhitespace }) ?? rest.endIndex
                        let pieceEnd = rest[wordEnd...].firstIndex(where: { !$0.isWhitespace }) ?? rest.endIndex
                        continuation.yield(ConversationPiece(text: String(rest[..<pieceEnd])))
                        rest = rest[pieceEnd...]
                    }
                    continuation.yield(
                        ConversationPiece(text: "", finishReason: answer.finishReason, toolCalls: answer.toolCalls, usage: answer.usage))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
