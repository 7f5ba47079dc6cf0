import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import SwiftletDaprProto
import SwiftletRuntime
import Testing

/// The Dapr gRPC API's status codes, through a real grpc-swift client over HTTP/2.
@Suite struct DaprGRPCTests {
    typealias Dapr = Dapr_Proto_Runtime_V1_Dapr

    /// Runs `body` with a client of the Dapr service on a Swiftlet serving the plain test app.
    func withDapr(token: String? = nil, _ body: (Dapr.Client<HTTP2ClientTransport.Posix>) async throws -> Void) async throws {
        try await withClient(token: token) { try await body(Dapr.Client(wrapping: $0)) }
    }

    func withClient(token: String? = nil, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void) async throws {
        try await TestServer.with(manifest: DaprHTTPAPITests.manifest, dapr: DaprOptions(httpPort: 0, grpcPort: 0, apiToken: token)) {
            server in
            try await withGRPCClient(
                transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: server.daprGRPCPort), transportSecurity: .plaintext)
            ) { client in
                try await body(client)
            }
        }
    }

    /// The status code a call failed with.
    func code(_ call: () async throws -> Void) async -> RPCError.Code? {
        do {
            try await call()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            Issue.record("not an RPCError: \(error)")
            return nil
        }
    }

    func item(_ key: String, _ value: String, etag: String? = nil) -> Dapr_Proto_Common_V1_StateItem {
        var item = Dapr_Proto_Common_V1_StateItem()
        item.key = key
        item.value = Data(value.utf8)
        if let etag { item.etag.value = etag }
        return item
    }

    func save(_ dapr: Dapr.Client<HTTP2ClientTransport.Posix>, _ items: Dapr_Proto_Common_V1_StateItem..., store: String = "statestore")
        async throws
    {
        var request = Dapr_Proto_Runtime_V1_SaveStateRequest()
        request.storeName = store
        request.states = items
        _ = try await dapr.saveState(request)
    }

    func get(_ dapr: Dapr.Client<HTTP2ClientTransport.Posix>, _ key: String, store: String = "statestore", metadata: Metadata = [:])
        async throws -> Dapr_Proto_Runtime_V1_GetStateResponse
    {
        var request = Dapr_Proto_Runtime_V1_GetStateRequest()
        request.storeName = store
        request.key = key
        return try await dapr.getState(request, metadata: metadata)
    }

    @Test func stateRoundTripWithETagsAndStatusCodes() async throws {
        try await withDapr { dapr in
            let missing = try await get(dapr, "absent")
            #expect(missing.data.isEmpty && missing.etag.isEmpty)

            try await save(dapr, item("k", #""one""#))
            let first = try await get(dapr, "k")
            #expect(String(decoding: first.data, as: UTF8.self) == #""one""#)
            #expect(!first.etag.isEmpty)

            let stale = "\(Int(first.etag)! + 3)"
            #expect(await code { try await save(dapr, item("k", #""two""#, etag: stale)) } == .aborted)
            #expect(await code { try await save(dapr, item("k", #""two""#, etag: "garbage")) } == .invalidArgument)
            #expect(await code { _ = try await get(dapr, "k", store: "nosuchstore") } == .invalidArgument)
            #expect(String(decoding: try await get(dapr, "k").data, as: UTF8.self) == #""one""#)

            var delete = Dapr_Proto_Runtime_V1_DeleteStateRequest()
            delete.storeName = "statestore"
            delete.key = "k"
            delete.etag.value = first.etag
            _ = try await dapr.deleteState(delete)
            #expect(try await get(dapr, "k").data.isEmpty)
        }
    }

    @Test func invokeServiceReachesTheWasmFunction() async throws {
        try await withDapr { dapr in
            var request = Dapr_Proto_Runtime_V1_InvokeServiceRequest()
            request.id = "plain"
            request.message.method = "echo/grpc"
            request.message.httpExtension.verb = .post
            request.message.contentType = "text/plain"
            request.message.data.value = Data("from grpc".utf8)
            let response = try await dapr.invokeService(request)
            let text = String(decoding: response.data.value, as: UTF8.self)
            #expect(text.contains("method=POST"), "\(text)")
            #expect(text.contains("path=/echo/grpc"), "\(text)")
            #expect(text.contains("body=from grpc"), "\(text)")
        }
    }

    @Test func methodsNotBuiltAnswerUnimplemented() async throws {
        try await withClient { client in
            let metadata = try await Dapr.Client(wrapping: client).getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest())
            #expect(metadata.id == "plain")
            // Actor state is outside Swiftlet's subset: the answer must be a clean
            // UNIMPLEMENTED, not a hang or a reset stream.
            let outcome = await code {
                try await client.unary(
                    request: ClientRequest(message: Dapr_Proto_Runtime_V1_GetStateRequest()),
                    descriptor: MethodDescriptor(fullyQualifiedService: "dapr.proto.runtime.v1.Dapr", method: "GetActorState"),
                    serializer: ProtobufSerializer<Dapr_Proto_Runtime_V1_GetStateRequest>(),
                    deserializer: ProtobufDeserializer<Dapr_Proto_Runtime_V1_GetStateResponse>(),
                    options: .defaults
                ) { response in _ = try response.message }
            }
            #expect(outcome == .unimplemented)
        }
    }

    @Test func apiTokenIsRequiredInMetadata() async throws {
        try await withDapr(token: "t0ken") { dapr in
            #expect(await code { _ = try await get(dapr, "k") } == .unauthenticated)
            let withToken = try await get(dapr, "k", metadata: ["dapr-api-token": "t0ken"])
            #expect(withToken.data.isEmpty)
        }
    }
}
