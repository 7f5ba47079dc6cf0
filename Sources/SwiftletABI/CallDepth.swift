import SwiftletBlocks

/// How deep a chain of service invocations is, and the one limit on it. A guest's nested
/// invocation counts one level (``RequestOrigin/callDepth``); a call forwarded to another
/// Swiftlet carries its count in ``header``. Both the local invoker and the Dapr invoker
/// check through here, so a cycle is cut at the same depth whichever way it runs.
public enum CallDepth {
    /// Calls in one chain before it counts as a cycle.
    public static let limit = 8
    /// The hop count a forwarded invocation carries.
    public static let header = "x-swiftlet-call-depth"

    /// The depth `request` arrived at: the larger of a peer's hop count and the local
    /// count, so neither a client nor a guest can reset it. A header that is not a count
    /// from 0 up is refused (a negative one would buy a forwarding loop extra hops).
    public static func of(_ request: GuestRequest) throws(BuildingBlockError) -> Int {
        guard let text = request.header(header) else { return try checked(request.origin.callDepth) }
        guard let depth = Int(text), depth >= 0 else {
            throw BuildingBlockError(.invalidArgument, "\(header) must be a count of hops, not '\(text)'")
        }
        return try checked(max(depth, request.origin.callDepth))
    }

    /// `depth` if it is within the limit.
    public static func checked(_ depth: Int) throws(BuildingBlockError) -> Int {
        guard depth <= limit else {
            throw BuildingBlockError(.callDepthExceeded, "invocation depth exceeds \(limit) (an invocation cycle?)")
        }
        return depth
    }
}
