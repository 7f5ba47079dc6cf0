import SwiftletBuildingBlocks

/// An error as Dapr reports it: an HTTP status with `{"errorCode","message"}`, or a gRPC
/// status code with the message.
public struct DaprError: Error, Sendable, CustomStringConvertible {
    /// The gRPC status codes Dapr uses for these errors.
    public enum GRPCCode: Sendable {
        case invalidArgument, notFound, aborted, internalError, unavailable, unauthenticated, deadlineExceeded
        case permissionDenied, failedPrecondition
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

    /// A building-block failure in the context of an operation with error code `code`:
    /// conflicts are 409/ABORTED, malformed input 400/INVALID_ARGUMENT, the rest 500.
    static func from(_ error: BuildingBlockError, _ code: String) -> DaprError {
        switch error.kind {
        case .conflict: DaprError(409, .aborted, code, error.message)
        case .invalidETag, .invalidArgument: DaprError(400, .invalidArgument, code, error.message)
        case .notFound: DaprError(404, .notFound, code, error.message)
        case .denied: DaprError(403, .permissionDenied, code, error.message)
        case .timeout: DaprError(500, .deadlineExceeded, code, error.message)
        default: DaprError(500, .internalError, code, error.message)
        }
    }

    static func malformed(_ message: String) -> DaprError {
        DaprError(400, .invalidArgument, "ERR_MALFORMED_REQUEST", message)
    }

    static let unauthorized = DaprError(401, .unauthenticated, "ERR_UNAUTHORIZED", "invalid api token")
}
