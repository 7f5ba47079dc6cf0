import SwiftletBlocks
import SwiftletCore

/// `swiftlet_v1` functions that call a conversation component in the component's `uses`: a
/// whole completion, or a stream read chunk by chunk. Every call spends the request's token
/// budget (prompt and completion) and ends by the request's deadline.
public enum InferenceHostFunctions<Memory: GuestMemoryView> {
    public static var all: [HostFunction<Memory>] {
        [
            // llm_complete(component, len, prompt, len, max_tokens) -> answer length; the text
            // via result_read, "finish_reason", "prompt_tokens", "completion_tokens" and
            // "model" via result_meta. max_tokens <= 0: what is left of the budget.
            HostFunction("llm_complete", [.i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let component = try memory.readString(args.u32(0), args.u32(1))
                let request = try prompt(call, memory, args)
                let answer = try call.perform { services throws(BuildingBlockError) in
                    try await services.converse(component: component, request)
                }
                call.inference.spend(answer.usage, text: answer.content)
                call.lastResult = GuestResult(
                    body: Array(answer.content.utf8),
                    metadata: endFields(finishReason: answer.finishReason, usage: answer.usage, model: answer.model))
                return Int64(answer.content.utf8.count)
            },
            // llm_stream(component, len, prompt, len, max_tokens) -> a stream handle (>= 0)
            HostFunction("llm_stream", [.i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let component = try memory.readString(args.u32(0), args.u32(1))
                let request = try prompt(call, memory, args)
                guard call.inference.streams.count(where: { $0 != nil }) < GuestInference.maxHandles else { throw .tooLarge }
                let services = try call.requireServices()
                let pieces: AsyncThrowingStream<ConversationPiece, any Error>
                do throws(BuildingBlockError) {
                    pieces = try services.stream(component: component, request)
                } catch {
                    throw ABIError(error)
                }
                return Int64(call.inference.open(CompletionStream(pieces)))
            },
            // llm_stream_read(handle, buf, cap) -> bytes written, 0 at the end of the answer;
            // waits for the model's next piece. After the end, result_meta has the finish
            // reason and token counts, as after llm_complete.
            HostFunction("llm_stream_read", [.i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let handle = Int(args.u32(0))
                guard call.inference.streams.indices.contains(handle), let stream = call.inference.streams[handle] else {
                    throw .notFound
                }
                guard args.u32(2) > 0, memory.contains(args.u32(1), args.u32(2)) else { throw .fault }
                while stream.pending.isEmpty, !stream.finished {
                    let reader = stream.reader
                    let piece = try call.perform { _ throws(BuildingBlockError) in try await reader.next() }
                    guard let piece else {
                        stream.finished = true
                        break
                    }
                    stream.pending += piece.text.utf8
                    if piece.finishReason != nil {
                        stream.last = piece
                        call.inference.spend(piece.usage, text: piece.text)
                        call.lastResult = GuestResult(
                            body: [], metadata: endFields(finishReason: piece.finishReason ?? "stop", usage: piece.usage, model: piece.model))
                    }
                }
                let count = min(stream.pending.count, Int(args.u32(2)))
                guard count > 0 else { return 0 }
                _ = try memory.copyOut(stream.pending[..<count], to: args.u32(1), capacity: UInt32(count))
                stream.pending.removeFirst(count)
                return Int64(count)
            },
            // llm_stream_close(handle) -> 0; ends the stream early (the request's end closes
            // any left open).
            HostFunction("llm_stream_close", [.i32]) { call, _, args throws(ABIError) in
                let handle = Int(args.u32(0))
                guard call.inference.streams.indices.contains(handle), call.inference.streams[handle] != nil else { throw .notFound }
                call.inference.streams[handle] = nil
                return 0
            },
        ]
    }

    /// How an answer ended, as `result_meta` fields.
    static func endFields(finishReason: String, usage: ConversationUsage?, model: String?) -> HeaderList {
        var fields: HeaderList = [("finish_reason", finishReason)]
        if let usage {
            fields += [("prompt_tokens", String(usage.promptTokens)), ("completion_tokens", String(usage.completionTokens))]
        }
        if let model { fields.append(("model", model)) }
        return fields
    }

    /// The request for a prompt call: one user message, its token limit within the budget.
    static func prompt(_ call: GuestCall, _ memory: Memory, _ args: HostArguments) throws(ABIError) -> ConversationRequest {
        let prompt = try memory.readString(args.u32(2), args.u32(3))
        return try request(call, prompt: prompt, maxTokens: Int(args.i32(4)))
    }

    static func request(_ call: GuestCall, prompt: String, maxTokens requested: Int) throws(ABIError) -> ConversationRequest {
        let budget = try call.requireServices().tokenBudget
        let left = budget - call.inference.tokensUsed
        guard left > 0 else {
            call.log(.warning, "the request's token budget of \(budget) is spent")
            throw .tooLarge
        }
        var timeLimit: Double?
        if let deadline = call.deadline {
            let now = MonotonicClock.now()
            guard deadline > now else { throw .timeout }
            timeLimit = Double(deadline - now) / 1e9
        }
        return ConversationRequest(
            messages: [ConversationMessage(role: .user, content: [prompt])],
            maxTokens: requested > 0 ? min(requested, left) : left, timeLimit: timeLimit)
    }
}
