import NIOHTTP1
import SwiftletWasmHost
import Testing

/// A guest calling a conversation component: `llm_complete`, a stream read in small pieces,
/// the request's token budget, and the WasmEdge-style `wasi_ephemeral_nn` subset, all
/// against `conversation.echo`, whose answers are exact.
@Suite("Inference for guests")
struct InferenceGuestTests {
    static func manifest() throws -> String {
        """
        name: infer
        components:
          model:
            source: \(try Paths.guest("inference"))
            executor: handler
            uses: [echo]
            limits: { tokens: 20 }
        triggers:
          http:
            - { route: /..., component: model }
        """
    }

    static let files = [
        "components/echo.yaml": """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: echo }
            spec: { type: conversation.echo, version: v1 }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: not-granted }
            spec: { type: conversation.echo, version: v1 }
            """
    ]

    func serve(_ engine: EngineKind, _ body: (TestServer) async throws -> Void) async throws {
        try Engines.require(engine)
        try await TestServer.with(engine: engine, manifest: try Self.manifest(), files: Self.files, componentsDirectory: "components") {
            try await body($0)
        }
    }

    @Test(arguments: Engines.all) func aGuestGetsAWholeCompletion(engine: EngineKind) async throws {
        try await serve(engine) { server in
            let response = try await server.request("/complete", method: .POST, body: "tell me three words")
            #expect(response.status == 200)
            #expect(response.body == "tell me three words|stop|4")
        }
    }

    @Test(arguments: Engines.all) func aGuestReadsAStreamPieceByPiece(engine: EngineKind) async throws {
        try await serve(engine) { server in
            let response = try await server.request("/stream", method: .POST, body: "one two three")
            // echo streams word by word ("one ", "two ", "three"); the guest reads at most three
            // bytes at a time, and a read returns what has arrived without waiting for more.
            #expect(response.body == "one| |two| |thr|ee|stop")
        }
    }

    @Test(arguments: Engines.all) func theTokenBudgetEndsARequestsCalls(engine: EngineKind) async throws {
        try await serve(engine) { server in
            // Three words cost six tokens (prompt and completion): three calls fit in 20.
            let response = try await server.request("/budget", method: .POST, body: "a b c")
            #expect(response.body == "calls=4 status=-4", "the fourth call starts with 2 tokens left, the fifth is refused")
            let next = try await server.request("/budget", method: .POST, body: "a b c")
            #expect(next.body == "calls=4 status=-4", "the budget is per request")
        }
    }

    @Test(arguments: Engines.all) func aWasmEdgeStyleNeuralNetworkGuestRunsUnchanged(engine: EngineKind) async throws {
        try await serve(engine) { server in
            let answer = try await server.request("/nn", method: .POST, body: "<|im_start|>user\nhello<|im_end|>")
            #expect(answer.body == "<|im_start|>user\nhello<|im_end|>")
            let refused = try await server.request("/nn-missing", method: .POST, body: "hello")
            #expect(refused.body == "errno=8", "a model outside 'uses' is not found")
        }
    }
}
