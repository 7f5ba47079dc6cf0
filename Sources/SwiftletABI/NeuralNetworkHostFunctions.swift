import SwiftletBlocks

/// A subset of `wasi_ephemeral_nn` (WASI-NN) shaped like WasmEdge's GGML backend, so a guest
/// written for WasmEdge's LLM interface runs unchanged: a graph loaded by name is a
/// conversation component in the component's `uses`; input 0 is the prompt's bytes (input 1,
/// WasmEdge's JSON options, may carry `n_predict`); `compute` asks for a completion within
/// the request's token budget and deadline; output 0 is the answer's bytes.
///
/// Results are WASI-NN errnos, not `swiftlet_v1` statuses.
public enum NeuralNetworkHostFunctions<Memory: GuestMemoryView> {
    public static var module: String { "wasi_ephemeral_nn" }
    typealias Failure = NeuralNetworkFailure

    public static var all: [HostFunction<Memory>] {
        [
            // load(builders, len, encoding, target, graph_out): models come by name here.
            function("load", [.i32, .i32, .i32, .i32, .i32]) { _, _, _ throws(Failure) in throw .unsupportedOperation },
            // load_by_name(name, len, graph_out)
            function("load_by_name", [.i32, .i32, .i32]) { call, memory, args throws(Failure) in
                try loadByName(call, memory, name: args.u32(0), length: args.u32(1), graphOut: args.u32(2))
            },
            // load_by_name_with_config(name, len, config, len, graph_out): the config is ignored.
            function("load_by_name_with_config", [.i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(Failure) in
                try loadByName(call, memory, name: args.u32(0), length: args.u32(1), graphOut: args.u32(4))
            },
            // init_execution_context(graph, context_out)
            function("init_execution_context", [.i32, .i32]) { call, memory, args throws(Failure) in
                let graph = Int(args.u32(0))
                guard call.inference.graphs.indices.contains(graph) else { throw .notFound }
                guard call.inference.contexts.count < GuestInference.maxHandles else { throw .tooLarge }
                call.inference.contexts.append(NeuralNetworkContext(graph: graph))
                try write(UInt32(call.inference.contexts.count - 1), at: args.u32(1), memory)
            },
            // set_input(context, index, tensor): tensor = {dims ptr, dims len, type u8, data ptr, data len}
            function("set_input", [.i32, .i32, .i32]) { call, memory, args throws(Failure) in
                let context = try contextIndex(call, args.u32(0))
                let tensor = args.u32(2)
                let data = try read { () throws(ABIError) in
                    let pointer = try memory.readUInt32(tensor &+ 12)
                    let length = try memory.readUInt32(tensor &+ 16)
                    return try memory.readBytes(pointer, length)
                }
                switch args.u32(1) {
                case 0: call.inference.contexts[context].prompt = data
                case 1: call.inference.contexts[context].maxTokens = predictLimit(data)
                default: throw .invalidArgument
                }
            },
            // compute(context)
            function("compute", [.i32]) { call, _, args throws(Failure) in
                let context = try contextIndex(call, args.u32(0))
                let slot = call.inference.contexts[context]
                let component = call.inference.graphs[slot.graph]
                let request: ConversationRequest
                do throws(ABIError) {
                    request = try InferenceHostFunctions<Memory>.request(
                        call, prompt: String(decoding: slot.prompt, as: UTF8.self), maxTokens: slot.maxTokens ?? 0)
                } catch {
                    throw error.status == .tooLarge ? .tooLarge : .runtimeError
                }
                let answer: ConversationAnswer
                do throws(ABIError) {
                    answer = try call.perform { services throws(BuildingBlockError) in
                        try await services.converse(component: component, request)
                    }
                } catch {
                    call.log(.warning, "wasi_ephemeral_nn compute on '\(component)' failed: \(error.status)")
                    throw error.status == .notFound || error.status == .denied ? .notFound : .runtimeError
                }
                call.inference.spend(answer.usage, text: answer.content)
                call.inference.contexts[context].output = Array(answer.content.utf8)
            },
            // get_output(context, index, buffer, max, written_out)
            function("get_output", [.i32, .i32, .i32, .i32, .i32]) { call, memory, args throws(Failure) in
                let context = try contextIndex(call, args.u32(0))
                guard args.u32(1) == 0 else { throw .invalidArgument }
                guard let output = call.inference.contexts[context].output else { throw .invalidArgument }
                guard output.count <= Int(args.u32(3)) else { throw .tooLarge }
                _ = try read { () throws(ABIError) in try memory.copyOut(output, to: args.u32(2), capacity: args.u32(3)) }
                try write(UInt32(output.count), at: args.u32(4), memory)
            },
        ]
    }

    /// A function whose body signals failure by throwing an errno; success is 0.
    static func function(
        _ name: String, _ parameters: [ABIValueType], _ body: @escaping @Sendable (GuestCall, Memory, HostArguments) throws(Failure) -> Void
    ) -> HostFunction<Memory> {
        HostFunction(name, parameters, module: module) { call, memory, args throws(ABIError) in
            do throws(Failure) {
                try body(call, memory, args)
                return NeuralNetworkFailure.Errno.success.rawValue
            } catch {
                return error.errno.rawValue
            }
        }
    }

    /// Guest memory access: a pointer outside memory is an invalid argument in WASI-NN.
    static func read<T>(_ body: () throws(ABIError) -> T) throws(Failure) -> T {
        do {
            return try body()
        } catch {
            throw error.status == .tooLarge ? .tooLarge : .invalidArgument
        }
    }

    static func write(_ value: UInt32, at pointer: UInt32, _ memory: Memory) throws(Failure) {
        try read { () throws(ABIError) in try memory.writeUInt32(value, at: pointer) }
    }

    static func loadByName(_ call: GuestCall, _ memory: Memory, name: UInt32, length: UInt32, graphOut: UInt32) throws(Failure) {
        let name = try read { () throws(ABIError) in try memory.readString(name, length) }
        guard call.inference.graphs.count < GuestInference.maxHandles else { throw .tooLarge }
        call.inference.graphs.append(name)
        try write(UInt32(call.inference.graphs.count - 1), at: graphOut, memory)
    }

    static func contextIndex(_ call: GuestCall, _ raw: UInt32) throws(Failure) -> Int {
        let index = Int(raw)
        guard call.inference.contexts.indices.contains(index) else { throw .notFound }
        return index
    }

    /// `n_predict` from WasmEdge's JSON options, read without a JSON library: the first
    /// integer after the key.
    static func predictLimit(_ options: [UInt8]) -> Int? {
        let text = String(decoding: options, as: UTF8.self)
        guard let key = text.range(of: "\"n_predict\"") else { return nil }
        let digits = text[key.upperBound...].drop(while: { !$0.isNumber && $0 != "-" }).prefix(while: { $0.isNumber || $0 == "-" })
        return Int(digits).flatMap { $0 > 0 ? $0 : nil }
    }
}

/// A WASI-NN errno, thrown inside the `wasi_ephemeral_nn` functions and returned as their
/// result.
struct NeuralNetworkFailure: Error {
    enum Errno: Int64 {
        case success = 0, invalidArgument = 1, invalidEncoding = 2, missingMemory = 3, busy = 4, runtimeError = 5
        case unsupportedOperation = 6, tooLarge = 7, notFound = 8
    }

    let errno: Errno
    static let invalidArgument = NeuralNetworkFailure(errno: .invalidArgument)
    static let unsupportedOperation = NeuralNetworkFailure(errno: .unsupportedOperation)
    static let tooLarge = NeuralNetworkFailure(errno: .tooLarge)
    static let notFound = NeuralNetworkFailure(errno: .notFound)
    static let runtimeError = NeuralNetworkFailure(errno: .runtimeError)
}
