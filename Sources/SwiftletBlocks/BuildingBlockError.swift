/// A failure of a building-block operation, whatever the backend.
///
/// Each kind maps to one `swiftlet_v1` status for guests and to one Dapr HTTP status and
/// error code for the Dapr APIs.
public struct BuildingBlockError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case notFound
        /// An ETag did not match (or first-write found the key taken).
        case conflict
        /// An ETag that cannot be one (not a version this store issues).
        case invalidETag
        case invalidArgument
        /// The backend cannot be reached or refused the operation; retry later.
        case unavailable
        case timeout
        case denied
        case notSupported
        case tooLarge
        /// A service invocation chain nested deeper than allowed (a cycle).
        case callDepthExceeded
        case internalError
    }

    public let kind: Kind
    public let message: String
    /// Dapr's error code for this failure when it is more specific than the operation's
    /// (`ERR_MALFORMED_REQUEST`, `ERR_PUBSUB_NOT_FOUND`, ...): the Dapr APIs report it with
    /// Dapr's status for that code; guests see the ``kind``.
    public let code: String?

    public init(_ kind: Kind, _ message: String, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }

    public static func unavailable(_ component: String, _ error: any Error) -> BuildingBlockError {
        if let error = error as? BuildingBlockError { return error }
        return BuildingBlockError(.unavailable, "\(component): \(error)")
    }
}
