/// Result codes every `swiftlet_v1` host function returns to the guest.
///
/// A non-negative result is a success value (usually a byte count); a negative one is one of
/// these codes. Guests never see host traps for their own mistakes: a bad pointer, a missing
/// header or an oversized response each come back as a code the guest can act on.
public struct ABIStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// A pointer and length do not lie inside the guest's linear memory.
    public static let fault = ABIStatus(rawValue: -1)
    /// The thing asked for (a header, a parameter, a key) does not exist.
    public static let notFound = ABIStatus(rawValue: -2)
    /// An argument is malformed: not UTF-8, an invalid status code, an unknown flag.
    public static let invalid = ABIStatus(rawValue: -3)
    /// A size limit was hit: the response body cap, a value too large.
    public static let tooLarge = ABIStatus(rawValue: -4)
    /// The call is not allowed in the current state (a header after the response was sent).
    public static let badState = ABIStatus(rawValue: -5)
    /// The component is not permitted to use this capability or resource.
    public static let denied = ABIStatus(rawValue: -6)
    /// A backend the call depends on is unreachable; retrying later may work.
    public static let unavailable = ABIStatus(rawValue: -7)
    /// An optimistic-concurrency check (an ETag) failed.
    public static let conflict = ABIStatus(rawValue: -8)
    /// The request's deadline passed during or before the call.
    public static let timeout = ABIStatus(rawValue: -9)
    /// The host failed in a way the guest cannot fix.
    public static let `internal` = ABIStatus(rawValue: -10)
    /// A service invocation would nest deeper than the host allows (a call cycle).
    public static let loop = ABIStatus(rawValue: -11)

    public var description: String {
        switch self {
        case .fault: "fault"
        case .notFound: "not found"
        case .invalid: "invalid argument"
        case .tooLarge: "too large"
        case .badState: "bad state"
        case .denied: "denied"
        case .unavailable: "unavailable"
        case .conflict: "conflict"
        case .timeout: "timeout"
        case .internal: "internal error"
        case .loop: "call depth exceeded"
        default: "status \(rawValue)"
        }
    }
}

/// A host-function failure carried as a Swift error until it becomes an ``ABIStatus``.
public struct ABIError: Error, Equatable, Sendable {
    public let status: ABIStatus
    public init(_ status: ABIStatus) { self.status = status }

    public static let fault = ABIError(.fault)
    public static let notFound = ABIError(.notFound)
    public static let invalid = ABIError(.invalid)
    public static let tooLarge = ABIError(.tooLarge)
    public static let badState = ABIError(.badState)
    public static let timeout = ABIError(.timeout)
    public static let denied = ABIError(.denied)
    public static let unavailable = ABIError(.unavailable)
    public static let conflict = ABIError(.conflict)
    public static let loop = ABIError(.loop)
}
