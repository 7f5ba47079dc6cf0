/// How a call ended early, as a tier reports it. The host turns it into a ``GuestFailure``
/// with the limit behind it, the same way for every tier.
public struct GuestTrap: Error, Sendable {
    public enum Kind: Sendable {
        /// ``GuestInstance/interrupt()`` stopped the call.
        case interrupted
        /// The fuel budget ran out.
        case outOfFuel
        /// The call stack (engine or native) ran out.
        case stackExhausted
        /// A host function failed the call with this error (WASI `proc_exit`, a sleep past
        /// the deadline, ...).
        case host(any Error & Sendable)
        /// Any other trap: unreachable, out-of-bounds access, division by zero...
        case other
    }

    public let kind: Kind
    /// The engine's own words, first line only.
    public let message: String
    /// Whether the instance's memory limit refused a growth before the trap, so the trap is
    /// most likely the guest's reaction to running out of memory.
    public let memoryRefused: Bool
    /// Fuel the call used before it ended, when it was metered.
    public let fuelConsumed: UInt64

    public init(_ kind: Kind, _ message: String, memoryRefused: Bool = false, fuelConsumed: UInt64 = 0) {
        self.kind = kind
        self.message = message
        self.memoryRefused = memoryRefused
        self.fuelConsumed = fuelConsumed
    }
}

/// Thrown by a host function that would block past the run's deadline.
public struct DeadlineExceeded: Error, Sendable {
    public init() {}
}
