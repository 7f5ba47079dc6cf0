/// A language model behind Dapr's Conversation building block (`conversation.*`).
///
/// The request and answer types are the building block's own, independent of Dapr's wire
/// messages and of any model server's, so the HTTP API, the gRPC API and guests share one
/// component.
public protocol ConversationModel: Sendable {
    /// A whole completion.
    func converse(_ request: ConversationRequest) async throws(BuildingBlockError) -> ConversationAnswer
    /// A completion as it is made: pieces of text in order, then one final piece with the
    /// finish reason, tool calls and usage.
    func stream(_ request: ConversationRequest) -> AsyncThrowingStream<ConversationPiece, any Error>
}

extension ConversationModel {
    /// A model that cannot stream answers in one piece.
    public func stream(_ request: ConversationRequest) -> AsyncThrowingStream<ConversationPiece, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let answer = try await converse(request)
                    continuation.yield(ConversationPiece(text: answer.content))
                    continuation.yield(
                        ConversationPiece(text: "", finishReason: answer.finishReason, toolCalls: answer.toolCalls, usage: answer.usage, model: answer.model))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

public struct ConversationMessage: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable {
        case developer, system, user, assistant, tool
    }

    public var role: Role
    /// Empty means none (Dapr's SDKs send an empty name rather than none).
    public var name: String
    public var content: [String]
    /// An assistant's earlier tool calls.
    public var toolCalls: [ToolCall]
    /// A tool message's answer to this call id.
    public var toolCallID: String

    public init(role: Role, content: [String], name: String = "", toolCalls: [ToolCall] = [], toolCallID: String = "") {
        self.role = role
        self.name = name
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    /// The message's text parts joined, as a single-text model sees them.
    public var text: String { content.joined(separator: "\n") }
}

public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The arguments as the model wrote them (JSON text for OpenAI-style models).
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// A function the model may ask the caller to run.
public struct ConversationTool: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The JSON Schema of the arguments, as JSON text ("" when none).
    public var parametersJSON: String
    /// The names of the schema's top-level properties, sorted (what `conversation.echo`
    /// answers with).
    public var parameterNames: [String]

    public init(name: String, description: String = "", parametersJSON: String = "", parameterNames: [String] = []) {
        self.name = name
        self.description = description
        self.parametersJSON = parametersJSON
        self.parameterNames = parameterNames
    }
}

public struct ConversationRequest: Sendable, Equatable {
    public var messages: [ConversationMessage]
    public var tools: [ConversationTool]
    /// `auto`, `none`, `required` or a tool's name; "" for the model's default.
    public var toolChoice: String
    public var temperature: Double?
    /// The answer's format as JSON text (OpenAI's `response_format`), "" for plain text.
    public var responseFormatJSON: String
    public var maxTokens: Int?
    public var metadata: [String: String]
    /// Seconds the model may take at most (what is left of a guest's deadline).
    public var timeLimit: Double?

    public init(
        messages: [ConversationMessage], tools: [ConversationTool] = [], toolChoice: String = "", temperature: Double? = nil,
        responseFormatJSON: String = "", maxTokens: Int? = nil, metadata: [String: String] = [:], timeLimit: Double? = nil
    ) {
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.temperature = temperature
        self.responseFormatJSON = responseFormatJSON
        self.maxTokens = maxTokens
        self.metadata = metadata
        self.timeLimit = timeLimit
    }
}

public struct ConversationUsage: Sendable, Equatable {
    public var promptTokens: UInt64
    public var completionTokens: UInt64
    public var totalTokens: UInt64 { promptTokens &+ completionTokens }

    public init(promptTokens: UInt64, completionTokens: UInt64) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

public struct ConversationAnswer: Sendable, Equatable {
    public var content: String
    public var toolCalls: [ToolCall]
    /// `stop`, `length`, `tool_calls`...
    public var finishReason: String
    public var usage: ConversationUsage?
    public var model: String?

    public init(content: String, toolCalls: [ToolCall] = [], finishReason: String = "stop", usage: ConversationUsage? = nil, model: String? = nil) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.model = model
    }
}

/// Part of a streamed answer: text, or (last) how it ended.
public struct ConversationPiece: Sendable, Equatable {
    public var text: String
    /// Set on the last piece only.
    public var finishReason: String?
    public var toolCalls: [ToolCall]
    public var usage: ConversationUsage?
    public var model: String?

    public init(text: String, finishReason: String? = nil, toolCalls: [ToolCall] = [], usage: ConversationUsage? = nil, model: String? = nil) {
        self.text = text
        self.finishReason = finishReason
        self.toolCalls = toolCalls
        self.usage = usage
        self.model = model
    }
}
