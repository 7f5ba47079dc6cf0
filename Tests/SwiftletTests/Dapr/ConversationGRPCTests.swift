import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftletDaprProto
import SwiftletRuntime
import Testing

/// The Conversation API over gRPC with a real grpc-swift client: Dapr's unary alpha2 with its
/// status codes, and Swiftlet's server stream.
@Suite struct ConversationGRPCTests {
    static let files = [
        "components/echo.yaml": """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: echo }
            spec: { type: conversation.echo, version: v1 }
            """
    ]

    func withClient(_ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void) async throws {
        try await TestServer.with(
            manifest: DaprHTTPAPITests.manifest, files: Self.files, componentsDirectory: "components",
            dapr: DaprOptions(httpPort: 0, grpcPort: 0)
        ) { server in
            try await withGRPCClient(
                transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: server.daprGRPCPort), transportSecurity: .plaintext)
            ) { client in
                try await body(client)
            }
        }
    }

    static func request(_ text: String, component: String = "echo") -> Dapr_Proto_Runtime_V1_ConversationRequestAlpha2 {
        var user = Dapr_Proto_Runtime_V1_ConversationMessageOfUser()
        var content = Dapr_Proto_Runtime_V1_ConversationMessageContent()
        content.text = text
        user.content = [content]
        var message = Dapr_Proto_Runtime_V1_ConversationMessage()
        message.ofUser = user
        var input = Dapr_Proto_Runtime_V1_ConversationInputAlpha2()
        input.messages = [message]
        var request = Dapr_Proto_Runtime_V1_ConversationRequestAlpha2()
        request.name = component
        request.contextID = "ctx-1"
        request.inputs = [input]
        return request
    }

    @Test func aStreamCarriesEachPieceThenHowItEnded() async throws {
        try await withClient { client in
            let conversation = Swiftlet_V1_Conversation.Client(wrapping: client)
            let messages = try await conversation.converseStreamAlpha2(request: ClientRequest(message: Self.request("one two three"))) {
                response in
                var messages: [Dapr_Proto_Runtime_V1_ConversationResponseAlpha2] = []
                for try await message in response.messages { messages.append(message) }
                return messages
            }
            let choices = messages.map { $0.outputs[0].choices[0] }
            #expect(choices.map(\.message.content) == ["one ", "two ", "three", ""])
            #expect(choices.map(\.finishReason) == ["", "", "", "stop"])
            #expect(messages.last?.outputs[0].usage.totalTokens == 6)
            #expect(messages.allSatisfy { $0.contextID == "ctx-1" })
        }
    }

    @Test func daprsUnaryCallAndItsErrors() async throws {
        try await withClient { client in
            let dapr = Dapr_Proto_Runtime_V1_Dapr.Client(wrapping: client)
            let answer = try await dapr.converseAlpha2(Self.request("hello there"))
            #expect(answer.outputs[0].choices[0].message.content == "hello there")
            #expect(answer.contextID == "ctx-1")

            do {
                _ = try await dapr.converseAlpha2(Self.request("hi", component: "missing"))
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(error.message == "failed finding conversation component missing")
            }
            var empty = Self.request("hi")
            empty.inputs[0].messages = [Dapr_Proto_Runtime_V1_ConversationMessage()]
            do {
                _ = try await dapr.converseAlpha2(empty)
                Issue.record("a message without a role was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.hasSuffix("invalid params: message type cannot be nil"))
            }
            let stream = Swiftlet_V1_Conversation.Client(wrapping: client)
            do {
                try await stream.converseStreamAlpha2(request: ClientRequest(message: Self.request("x", component: "missing"))) { response in
                    for try await _ in response.messages {}
                }
                Issue.record("a stream from a missing component succeeded")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
            }
        }
    }
}
