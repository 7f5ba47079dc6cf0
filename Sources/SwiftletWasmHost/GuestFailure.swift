/// Why a guest invocation did not produce a response.
public struct GuestFailure: Error, Sendable, CustomStringConvertible {
    /// Kinds of failure, a closed set: every mapping (HTTP status, metrics, the ABI) is an
    /// exhaustive switch, so a new kind cannot be forgotten by one of them.
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        /// The guest trapped (unreachable, out-of-bounds access, stack exhaustion...).
        case trap
        /// The wall-clock deadline passed.
        case timeout
        /// The request's fuel budget ran out.
        case fuelExhausted = "fuel"
        /// The guest passed host functions pointers outside its memory.
        case badPointer = "bad-pointer"
        /// The memory limit stopped the guest.
        case memoryLimit = "memory"
        /// The response exceeded its size limit.
        case responseTooLarge = "response-size"
        /// Too many requests for this component: concurrency and queue are full.
        case overloaded
        /// The guest finished but its output is not a valid response.
        case badResponse = "bad-response"
        /// The handler returned a non-zero status.
        case handlerError = "handler-error"
        /// An instance could not be created.
        case instantiation

        /// The name in responses (`x-swiftlet-error`), logs and metrics.
        public var name: String { rawValue }
        public var description: String { rawValue }

        /// The HTTP status, the same for the HTTP trigger and for service invocation: 504
        /// for the deadline, 503 for load shedding, 500 for everything the guest did wrong.
        public var httpStatus: Int {
            switch self {
            case .timeout: 504
            case .overloaded: 503
            case .trap, .fuelExhausted, .badPointer, .memoryLimit, .responseTooLarge, .badResponse, .handlerError,
                .instantiation:
                500
            }
        }
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }
}
