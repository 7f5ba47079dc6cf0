import SwiftletBlocks
import SwiftletResources

/// An error as Dapr reports it: an HTTP status with `{"errorCode","message"}`, or a gRPC
/// status code with the message.
public struct DaprError: Error, Sendable, CustomStringConvertible {
    /// The gRPC status codes Dapr uses for these errors.
    public enum GRPCCode: Sendable {
        case invalidArgument, notFound, aborted, internalError, unavailable, unauthenticated, deadlineExceeded
        case permissionDenied, failedPrecondition, alreadyExists
    }

    public let httpStatus: Int
    public let grpcCode: GRPCCode
    public let errorCode: String
    public let message: String

    public init(_ httpStatus: Int, _ grpcCode: GRPCCode, _ errorCode: String, _ message: String) {
        self.httpStatus = httpStatus
        self.grpcCode = grpcCode
        self.errorCode = errorCode
        self.message = message
    }

    public var description: String { "\(errorCode): \(message)" }

    /// A building-block failure in the context of an operation with error code `code`. A
    /// failure that carries its own Dapr code gets Dapr's status for that code; otherwise
    /// conflicts are 409/ABORTED, malformed input 400/INVALID_ARGUMENT, the rest 500.
    static func from(_ error: BuildingBlockError, _ code: String) -> DaprError {
        if let specific = error.code, let (status, grpc) = statusByCode[specific] {
            // Dapr's own split for backend failures: the code is the operation's, the gRPC
            // status says whether it was the input or the backend.
            let grpcCode = grpc ?? (error.kind == .notFound || error.kind == .invalidArgument ? .invalidArgument : .internalError)
            return DaprError(status, grpcCode, specific, error.message)
        }
        return switch error.kind {
        case .conflict: DaprError(409, .aborted, code, error.message)
        case .invalidETag, .invalidArgument: DaprError(400, .invalidArgument, code, error.message)
        case .notFound: DaprError(404, .notFound, code, error.message)
        case .denied: DaprError(403, .permissionDenied, code, error.message)
        case .timeout: DaprError(500, .deadlineExceeded, code, error.message)
        default: DaprError(500, .internalError, code, error.message)
        }
    }

    /// The HTTP status (and gRPC code, when fixed) Dapr gives each specific error code.
    static let statusByCode: [String: (Int, GRPCCode?)] = [
        "ERR_MALFORMED_REQUEST": (400, .invalidArgument),
        "ERR_STATE_STORE_NOT_FOUND": (400, .invalidArgument),
        "ERR_PUBSUB_NOT_FOUND": (404, .invalidArgument),
        "ERR_TOPIC_NAME_EMPTY": (404, .invalidArgument),
        "ERR_PUBSUB_CLOUD_EVENTS_SER": (400, .invalidArgument),
        "ERR_PUBSUB_PUBLISH_MESSAGE": (500, .internalError),
        "ERR_INVOKE_OUTPUT_BINDING": (500, nil),
        "ERR_SECRET_STORES_NOT_CONFIGURED": (500, .failedPrecondition),
        "ERR_SECRET_STORE_NOT_FOUND": (401, .invalidArgument),
        "ERR_SECRET_GET": (500, .internalError),
        "ERR_CONFIGURATION_STORE_NOT_FOUND": (400, .invalidArgument),
        "ERR_CONFIGURATION_GET": (500, .internalError),
        "ERR_CONVERSATION_NOT_FOUND": (400, .invalidArgument),
        "ERR_CONVERSATION_INVOKE": (500, .internalError),
    ]

    static func malformed(_ message: String) -> DaprError {
        DaprError(400, .invalidArgument, "ERR_MALFORMED_REQUEST", message)
    }

    static let unauthorized = DaprError(401, .unauthenticated, "ERR_UNAUTHORIZED", "invalid api token")
}
