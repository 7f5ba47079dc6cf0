import SwiftletBlocks
@testable import SwiftletConversation
import Testing

@Suite("Conversation wire formats") struct ConversationWireTests {
    @Test func serverSentEventsSurviveAnyChunking() throws {
        let stream = "data: {\"a\":1}\n\n: comment\nevent: x\ndata: line one\ndata: line two\r\n\r\ndata: [DONE]\n\n"
        let bytes = Array(stream.utf8)
        for size in [1, 2, 3, 7, bytes.count] {
            var parser = ServerSentEventParser()
            var events: [String] = []
            var offset = 0
            while offset < bytes.count {
                events += try parser.feed(bytes[offset..<min(offset + size, bytes.count)])
                offset += size
            }
            #expect(events == ["{\"a\":1}", "line one\nline two", "[DONE]"], "chunks of \(size)")
        }
    }

    @Test func aLineWithoutEndIsRefused() {
        var parser = ServerSentEventParser()
        #expect(throws: ServerSentEventParser.LineTooLong.self) {
            _ = try parser.feed([UInt8](repeating: UInt8(ascii: "x"), count: ServerSentEventParser.maxLineBytes + 1))
        }
    }

    @Test func streamedToolCallFragmentsAreJoined() {
        var assembler = OpenAIChatWire.StreamAssembler()
        let chunks: [[String: Any]] = [
            ["model": "m", "choices": [["delta": ["content": "Hel"]]]],
            ["choices": [["delta": ["content": "lo"]]]],
            ["choices": [["delta": ["tool_calls": [["index": 0, "id": "call_1", "function": ["name": "get_", "arguments": "{\"lo"]]]]]]],
            ["choices": [["delta": ["tool_calls": [["index": 0, "function": ["name": "weather", "arguments": "c\":1}"]]]]]]],
            ["choices": [["delta": [:], "finish_reason": "tool_calls"]]],
            ["choices": [], "usage": ["prompt_tokens": 7, "completion_tokens": 3]],
        ]
        let text = chunks.map { assembler.feed($0) }.joined()
        #expect(text == "Hello")
        let last = assembler.last
        #expect(last.finishReason == "tool_calls")
        #expect(last.toolCalls == [ToolCall(id: "call_1", name: "get_weather", arguments: "{\"loc\":1}")])
        #expect(last.usage == ConversationUsage(promptTokens: 7, completionTokens: 3))
        #expect(last.model == "m")
    }

    @Test func requestBodyCarriesToolsChoiceAndHistory() throws {
        let request = ConversationRequest(
            messages: [
                ConversationMessage(role: .user, content: ["hi"]),
                ConversationMessage(role: .assistant, content: [], toolCalls: [ToolCall(id: "c1", name: "f", arguments: "{}")]),
                ConversationMessage(role: .tool, content: ["42"], name: "f", toolCallID: "c1"),
            ],
            tools: [ConversationTool(name: "f", parametersJSON: "{\"type\":\"object\"}")], toolChoice: "f", maxTokens: 5)
        let body = try #require(OpenAIChatWire.object(try OpenAIChatWire.body(request, model: "m", stream: true)))
        #expect(body["model"] as? String == "m")
        #expect(body["stream"] as? Bool == true)
        #expect(body["max_tokens"] as? Int == 5)
        let choice = try #require(body["tool_choice"] as? [String: Any])
        #expect((choice["function"] as? [String: Any])?["name"] as? String == "f")
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "tool"])
        #expect(messages[2]["tool_call_id"] as? String == "c1")
        #expect(throws: BuildingBlockError.self) {
            _ = try OpenAIChatWire.body(
                ConversationRequest(messages: [], tools: [ConversationTool(name: "g", parametersJSON: "{nope")]), model: "m", stream: false)
        }
    }

    @Test func echoAnswersExactly() async throws {
        let answer = try await EchoConversation().converse(ConversationRequest(
            messages: [
                ConversationMessage(role: .user, content: ["weather?"]),
                ConversationMessage(role: .tool, content: ["sunny"], name: "w", toolCallID: "0"),
            ],
            tools: [ConversationTool(name: "w", parameterNames: ["unit", "city"])]))
        #expect(answer.content == "weather?\nTool Response for tool ID '0' with name 'w': sunny")
        #expect(answer.toolCalls == [ToolCall(id: "0", name: "w", arguments: "city,unit")])
        #expect(answer.finishReason == "tool_calls")
        #expect(answer.usage == ConversationUsage(promptTokens: 11, completionTokens: 11), "11 words")
    }

    @Test func personalDataIsScrubbed() {
        #expect(PIIScrubber.scrub("mail ann.lee@example.co.uk from 10.0.0.12 or call 555-123-4567")
            == "mail <EMAIL_ADDRESS> from <IP> or call <PHONE_NUMBER>")
        #expect(PIIScrubber.scrub("+1 (555) 123-4567!") == "<PHONE_NUMBER>!")
        #expect(PIIScrubber.scrub("version 1.2.3 has 42 items") == "version 1.2.3 has 42 items")
    }
}
