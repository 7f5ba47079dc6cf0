/// Why a guest invocation did not produce a response.
public struct GuestFailure: Error, Sendable, CustomStringConvertible {
    /// Kinds of failure; HTTP triggers map each to a status code.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// The guest trapped (unreachable, out-of-bounds access, stack exhaustion...).
        public static let trap = Kind(name: "trap")
        /// The wall-clock deadline passed.
        public static let timeout = Kind(name: "timeout")
        /// The request's fuel budget ran out.
        public static let fuelExhausted = Kind(name: "fuel")
        /// The guest passed host functions pointers outside its memory.
        public static let badPointer = Kind(name: "bad-pointer")
        /// The memory limit stopped the guest.
        public static let memoryLimit = Kind(name: "memory")
        /// The response exceeded its size limit.
        public static let responseTooLarge = Kind(name: "response-size")
        /// Too many requests for this component: concurrency and queue are full.
        public static let overloaded = Kind(name: "overloaded")
        /// The guest finished but its output is not a valid response.
        public static let badResponse = Kind(name: "bad-response")
        /// The handler returned a non-zero status.
        public static let handlerError = Kind(name: "handler-error")
        /// An instance could not be created.
        public static let instantiation = Kind(name: "instantiation")
        /// The host is shutting down.
        public static let unavailable = Kind(name: "unavailable")

        public var description: String { name }
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }
}
