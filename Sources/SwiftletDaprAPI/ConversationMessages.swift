import Foundation
import SwiftProtobuf
import SwiftletBlocks
import SwiftletDaprProto

typealias ConversationRequestAlpha1Message = Dapr_Proto_Runtime_V1_ConversationRequest
typealias ConversationResponseAlpha1Message = Dapr_Proto_Runtime_V1_ConversationResponse
typealias ConversationRequestAlpha2Message = Dapr_Proto_Runtime_V1_ConversationRequestAlpha2
typealias ConversationResponseAlpha2Message = Dapr_Proto_Runtime_V1_ConversationResponseAlpha2

/// Dapr's Conversation messages (alpha1, alpha2) to and from the building block's own
/// request and answer, with Dapr's validation and error codes. The HTTP API decodes its JSON
/// into the same messages, so both APIs share this one translation.
enum ConversationMessages {
    static func invalid(_ component: String, _ why: String) -> DaprError {
        DaprError(400, .invalidArgument, "ERR_CONVERSATION_INVALID_PARMS", "failed conversing with component \(component): invalid params: \(why)")
    }

    static func missingInputs(_ component: String) -> DaprError {
        DaprError(400, .invalidArgument, "ERR_CONVERSATION_MISSING_INPUTS", "failed conversing with component \(component): missing inputs in request")
    }

    // MARK: alpha1

    static func request(_ message: ConversationRequestAlpha1Message) throws(DaprError) -> ConversationRequest {
        guard !message.inputs.isEmpty else { throw missingInputs(message.name) }
        let messages = message.inputs.map { input in
            let role: ConversationMessage.Role = switch input.role.lowercased() {
            case "system": .system
            case "assistant", "ai": .assistant
            case "tool": .tool
            default: .user
            }
            return ConversationMessage(role: role, content: [input.scrubPii ? PIIScrubber.scrub(input.content) : input.content])
        }
        return ConversationRequest(
            messages: messages, temperature: message.hasTemperature ? message.temperature : nil, metadata: message.metadata)
    }

    static func response(_ answer: ConversationAnswer, to request: ConversationRequestAlpha1Message) -> ConversationResponseAlpha1Message {
        var response = ConversationResponseAlpha1Message()
        if !request.contextID.isEmpty { response.contextID = request.contextID }
        var result = Dapr_Proto_Runtime_V1_ConversationResult()
        result.result = request.scrubPii ? PIIScrubber.scrub(answer.content) : answer.content
        result.parameters = request.parameters
        response.outputs = [result]
        return response
    }

    // MARK: alpha2

    static func request(_ message: ConversationRequestAlpha2Message) throws(DaprError) -> ConversationRequest {
        let component = message.name
        guard !message.inputs.isEmpty else { throw missingInputs(component) }
        var messages: [ConversationMessage] = []
        for input in message.inputs {
            for item in input.messages {
                func texts(_ content: [Dapr_Proto_Runtime_V1_ConversationMessageContent]) -> [String] {
                    content.map { input.scrubPii ? PIIScrubber.scrub($0.text) : $0.text }
                }
                switch item.messageTypes {
                case .ofDeveloper(let developer)?:
                    messages.append(ConversationMessage(role: .developer, content: texts(developer.content), name: developer.name))
                case .ofSystem(let system)?:
                    messages.append(ConversationMessage(role: .system, content: texts(system.content), name: system.name))
                case .ofUser(let user)?:
                    messages.append(ConversationMessage(role: .user, content: texts(user.content), name: user.name))
                case .ofAssistant(let assistant)?:
                    var calls: [ToolCall] = []
                    for call in assistant.toolCalls {
                        guard case .function(let function)? = call.toolTypes else { throw invalid(component, "tool types cannot be nil") }
                        calls.append(ToolCall(id: call.id, name: function.name, arguments: function.arguments))
                    }
                    messages.append(ConversationMessage(role: .assistant, content: texts(assistant.content), name: assistant.name, toolCalls: calls))
                case .ofTool(let tool)?:
                    messages.append(ConversationMessage(role: .tool, content: texts(tool.content), name: tool.name, toolCallID: tool.toolID))
                case nil:
                    throw invalid(component, "message type cannot be nil")
                }
            }
        }
        var tools: [ConversationTool] = []
        for tool in message.tools {
            guard case .function(let function)? = tool.toolTypes else { throw invalid(component, "tool types cannot be nil") }
            let schema = function.hasParameters ? ((try? function.parameters.jsonString()) ?? "") : ""
            var names: [String] = []
            if case .structValue(let properties)? = function.parameters.fields["properties"]?.kind {
                names = properties.fields.keys.sorted()
            }
            tools.append(ConversationTool(name: function.name, description: function.description_p, parametersJSON: schema, parameterNames: names))
        }
        let choice = message.toolChoice
        switch choice {
        case "", "auto", "none":
            break
        case "required":
            guard !tools.isEmpty else { throw invalid(component, "tool choice 'required' needs at least one tool") }
        default:
            guard tools.isEmpty || tools.contains(where: { $0.name == choice }) else {
                throw invalid(component, "tool choice selected was not found. '\(choice)' is not one of the tools")
            }
        }
        return ConversationRequest(
            messages: messages, tools: tools, toolChoice: choice.isEmpty && !tools.isEmpty ? "auto" : choice,
            temperature: message.hasTemperature ? message.temperature : nil,
            responseFormatJSON: message.hasResponseFormat ? ((try? message.responseFormat.jsonString()) ?? "") : "",
            maxTokens: message.hasMaxTokens ? Int(clamping: message.maxTokens) : nil, metadata: message.metadata)
    }

    static func response(_ answer: ConversationAnswer, to request: ConversationRequestAlpha2Message) -> ConversationResponseAlpha2Message {
        var response = ConversationResponseAlpha2Message()
        if !request.contextID.isEmpty { response.contextID = request.contextID }
        response.outputs = [output(
            content: answer.content, toolCalls: answer.toolCalls, finishReason: answer.finishReason, usage: answer.usage,
            model: answer.model, scrub: request.scrubPii)]
        return response
    }

    /// One streamed piece as a whole alpha2 response, so stream clients reuse Dapr's message.
    static func response(_ piece: ConversationPiece, to request: ConversationRequestAlpha2Message) -> ConversationResponseAlpha2Message {
        var response = ConversationResponseAlpha2Message()
        if !request.contextID.isEmpty { response.contextID = request.contextID }
        response.outputs = [output(
            content: piece.text, toolCalls: piece.toolCalls, finishReason: piece.finishReason ?? "", usage: piece.usage,
            model: piece.model, scrub: request.scrubPii)]
        return response
    }

    private static func output(
        content: String, toolCalls: [ToolCall], finishReason: String, usage: ConversationUsage?, model: String?, scrub: Bool
    ) -> Dapr_Proto_Runtime_V1_ConversationResultAlpha2 {
        var message = Dapr_Proto_Runtime_V1_ConversationResultMessage()
        message.content = scrub ? PIIScrubber.scrub(content) : content
        message.toolCalls = toolCalls.map { call in
            var proto = Dapr_Proto_Runtime_V1_ConversationToolCalls()
            if !call.id.isEmpty { proto.id = call.id }
            var function = Dapr_Proto_Runtime_V1_ConversationToolCallsOfFunction()
            function.name = call.name
            function.arguments = call.arguments
            proto.function = function
            return proto
        }
        var choice = Dapr_Proto_Runtime_V1_ConversationResultChoices()
        choice.finishReason = finishReason
        choice.index = 0
        choice.message = message
        var output = Dapr_Proto_Runtime_V1_ConversationResultAlpha2()
        output.choices = [choice]
        if let model { output.model = model }
        if let usage {
            var proto = Dapr_Proto_Runtime_V1_ConversationResultAlpha2CompletionUsage()
            proto.promptTokens = usage.promptTokens
            proto.completionTokens = usage.completionTokens
            proto.totalTokens = usage.totalTokens
            output.usage = proto
        }
        return output
    }
}
