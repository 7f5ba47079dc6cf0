import GRPCCore
import SwiftletDaprProto

/// `swiftlet.v1.Conversation/ConverseStreamAlpha2`: Swiftlet's streaming extension to Dapr's
/// Conversation API, served beside Dapr's service on the gRPC port. Takes Dapr's alpha2
/// request and streams alpha2 responses, one per piece of text.
public struct ConversationStreamService: Swiftlet_V1_Conversation.SimpleServiceProtocol {
    let api: DaprAPI

    public init(api: DaprAPI) {
        self.api = api
    }

    public func converseStreamAlpha2(
        request: Dapr_Proto_Runtime_V1_ConversationRequestAlpha2,
        response: RPCWriter<Dapr_Proto_Runtime_V1_ConversationResponseAlpha2>, context: ServerContext
    ) async throws {
        do {
            for try await message in try api.converseStreamAlpha2(request) {
                try await response.write(message)
            }
        } catch let error as DaprError {
            throw RPCError(code: error.grpcCode.rpcCode, message: error.message)
        }
    }
}
