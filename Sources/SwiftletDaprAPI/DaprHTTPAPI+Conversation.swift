import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwiftProtobuf

/// Dapr's Conversation API over HTTP: the JSON body is Dapr's alpha1/alpha2 message in its
/// protobuf JSON form (camelCase names, unknown keys ignored, 64-bit counts as strings), so
/// it is decoded into the same messages the gRPC API takes.
extension DaprHTTPAPI {
    func addConversationRoutes(to router: Router<Context>) {
        router.post("/v1.0-alpha1/conversation/:name/converse", use: converseAlpha1)
        router.post("/v1.0-alpha2/conversation/:name/converse", use: converseAlpha2)
        router.post("/v1.0-alpha2/conversation/:name/converse/stream", use: converseStreamAlpha2)
    }

    @Sendable func converseAlpha1(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            var message: ConversationRequestAlpha1Message = try await Self.message(request)
            message.name = try context.parameters.require("name")
            return try Self.protoJSON(try await api.converseAlpha1(message))
        }
    }

    @Sendable func converseAlpha2(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            var message: ConversationRequestAlpha2Message = try await Self.message(request)
            message.name = try context.parameters.require("name")
            return try Self.protoJSON(try await api.converseAlpha2(message))
        }
    }

    /// Swiftlet's extension: the completion as server-sent events, one alpha2 response per
    /// piece of text (`data: {...}`), then `data: [DONE]`. A failure after the first event is
    /// an `event: error` whose data is Dapr's error body.
    @Sendable func converseStreamAlpha2(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            var message: ConversationRequestAlpha2Message = try await Self.message(request)
            message.name = try context.parameters.require("name")
            let responses = try api.converseStreamAlpha2(message)
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    do {
                        for try await response in responses {
                            let json: [UInt8] = try response.jsonUTF8Bytes()
                            try await writer.write(ByteBuffer(bytes: Array("data: ".utf8) + json + Array("\n\n".utf8)))
                        }
                        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    } catch {
                        let failure = (error as? DaprError) ?? DaprError(500, .internalError, "ERR_CONVERSATION_INVOKE", "\(error)")
                        let body = Self.serialize(["errorCode": failure.errorCode, "message": failure.message])
                        try await writer.write(ByteBuffer(bytes: Array("event: error\ndata: ".utf8) + body + Array("\n\n".utf8)))
                    }
                    try await writer.finish(nil)
                })
        }
    }

    static func message<M: SwiftProtobuf.Message>(_ request: Request) async throws -> M {
        let body = try await Self.body(request)
        do {
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            return body.isEmpty ? M() : try M(jsonUTF8Bytes: body, options: options)
        } catch {
            throw DaprError.malformed("failed deserializing HTTP body: \(error)")
        }
    }

    static func protoJSON(_ message: some SwiftProtobuf.Message) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try message.jsonUTF8Bytes() as [UInt8])))
    }
}
