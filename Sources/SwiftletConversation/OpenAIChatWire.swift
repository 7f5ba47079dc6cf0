import Foundation
import SwiftletBlocks

/// The OpenAI chat-completions wire format (`POST {endpoint}/chat/completions`), which every
/// OpenAI-compatible server speaks: the request body, and answers read from whole or
/// streamed responses. Pure, so it is tested without a server.
enum OpenAIChatWire {
    static func body(_ request: ConversationRequest, model: String, stream: Bool) throws(BuildingBlockError) -> [UInt8] {
        var body: [String: Any] = ["model": model, "messages": request.messages.map(message)]
        if !request.tools.isEmpty {
            body["tools"] = try request.tools.map { tool throws(BuildingBlockError) -> [String: Any] in
                var function: [String: Any] = ["name": tool.name]
                if !tool.description.isEmpty { function["description"] = tool.description }
                if !tool.parametersJSON.isEmpty { function["parameters"] = try json(tool.parametersJSON, field: "tool parameters") }
                return ["type": "function", "function": function]
            }
        }
        switch request.toolChoice {
        case "": break
        case "auto", "none", "required": body["tool_choice"] = request.toolChoice
        default: body["tool_choice"] = ["type": "function", "function": ["name": request.toolChoice]]
        }
        if let temperature = request.temperature { body["temperature"] = temperature }
        if let maxTokens = request.maxTokens { body["max_tokens"] = maxTokens }
        if !request.responseFormatJSON.isEmpty { body["response_format"] = try json(request.responseFormatJSON, field: "responseFormat") }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        do {
            return Array(try JSONSerialization.data(withJSONObject: body))
        } catch {
            throw BuildingBlockError(.invalidArgument, "cannot encode the request: \(error)")
        }
    }

    private static func message(_ message: ConversationMessage) -> [String: Any] {
        var object: [String: Any] = ["role": message.role.rawValue, "content": message.text]
        if !message.name.isEmpty, message.role != .tool { object["name"] = message.name }
        if message.role == .tool { object["tool_call_id"] = message.toolCallID }
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = message.toolCalls.map {
                ["id": $0.id, "type": "function", "function": ["name": $0.name, "arguments": $0.arguments]] as [String: Any]
            }
        }
        return object
    }

    private static func json(_ text: String, field: String) throws(BuildingBlockError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw BuildingBlockError(.invalidArgument, "\(field) is not valid JSON")
        }
    }

    static func object(_ bytes: some Collection<UInt8>) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// A whole (non-streamed) completion.
    static func answer(_ response: [String: Any]) throws(BuildingBlockError) -> ConversationAnswer {
        guard let choice = (response["choices"] as? [[String: Any]])?.first, let message = choice["message"] as? [String: Any] else {
            throw BuildingBlockError(.internalError, "the model server's answer has no choices[0].message")
        }
        let calls = (message["tool_calls"] as? [[String: Any]] ?? []).map { call in
            let function = call["function"] as? [String: Any] ?? [:]
            return ToolCall(
                id: call["id"] as? String ?? "", name: function["name"] as? String ?? "",
                arguments: function["arguments"] as? String ?? "")
        }
        return ConversationAnswer(
            content: message["content"] as? String ?? "", toolCalls: calls,
            finishReason: choice["finish_reason"] as? String ?? "stop", usage: usage(response["usage"]),
            model: response["model"] as? String)
    }

    static func usage(_ value: Any?) -> ConversationUsage? {
        guard let usage = value as? [String: Any] else { return nil }
        func count(_ key: String) -> UInt64 { UInt64(max(0, (usage[key] as? NSNumber)?.int64Value ?? 0)) }
        return ConversationUsage(promptTokens: count("prompt_tokens"), completionTokens: count("completion_tokens"))
    }

    /// Assembles a streamed completion: text pieces pass through, tool calls arrive in
    /// fragments keyed by index and are joined, the finish reason and usage come last.
    struct StreamAssembler {
        private var calls: [Int: ToolCall] = [:]
        private(set) var finishReason: String?
        private(set) var usage: ConversationUsage?
        private(set) var model: String?

        /// The text this chunk adds.
        mutating func feed(_ chunk: [String: Any]) -> String {
            if let model = chunk["model"] as? String { self.model = model }
            if let usage = OpenAIChatWire.usage(chunk["usage"]) { self.usage = usage }
            guard let choice = (chunk["choices"] as? [[String: Any]])?.first else { return "" }
            if let reason = choice["finish_reason"] as? String { finishReason = reason }
            let delta = choice["delta"] as? [String: Any] ?? [:]
            for fragment in delta["tool_calls"] as? [[String: Any]] ?? [] {
                let index = (fragment["index"] as? NSNumber)?.intValue ?? 0
                var call = calls[index] ?? ToolCall(id: "", name: "", arguments: "")
                if let id = fragment["id"] as? String { call.id = id }
                let function = fragment["function"] as? [String: Any] ?? [:]
                if let name = function["name"] as? String { call.name += name }
                if let arguments = function["arguments"] as? String { call.arguments += arguments }
                calls[index] = call
            }
            return delta["content"] as? String ?? ""
        }

        var last: ConversationPiece {
            ConversationPiece(
                text: "", finishReason: finishReason ?? "stop", toolCalls: calls.keys.sorted().compactMap { calls[$0] },
                usage: usage, model: model)
        }
    }
}
