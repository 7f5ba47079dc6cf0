import SwiftletCore
import SwiftletBlocks

/// One invocation of a guest: the request it may read and the response it builds.
///
/// Owned by the worker thread running the guest for the length of the call; host functions
/// reach it through the instance's session. Not shared across threads while in use.
public final class GuestCall {
    public let request: GuestRequest
    /// Largest response body the guest may produce, in bytes.
    public let maxResponseBytes: Int
    /// Monotonic deadline in nanoseconds (``MonotonicClock``), or `nil` for none.
    public let deadline: UInt64?
    /// Where `resp_flush` sends a committed head and body chunks, if the trigger streams.
    public let stream: (any ResponseStreamSink)?
    /// Receives the guest's `log` calls and its stdout/stderr lines.
    public let log: @Sendable (GuestLogLevel, String) -> Void
    /// Building blocks, outbound HTTP and invocation, when the host offers them.
    public let services: (any GuestServices)?
    /// The data the last data-producing host call returned (`result_read`, `result_meta`).
    public internal(set) var lastResult: GuestResult?

    public internal(set) var status = 200
    public internal(set) var headers: HeaderList = []
    /// Body bytes written and not yet flushed to ``stream``.
    public internal(set) var body: [UInt8] = []
    /// Whether status and headers have gone to ``stream`` (after the first `resp_flush`).
    public internal(set) var isCommitted = false
    /// A limit the guest crossed; the host fails the request even if the guest ignores
    /// the error code it was given.
    public internal(set) var violation: LimitViolation?
    /// Host functions that were given an out-of-bounds pointer, in call order. A pointer
    /// fault is always a guest bug, so the host fails the request even though each call
    /// only returned ``ABIStatus/fault``.
    public internal(set) var faults: [String] = []
    /// Models this request has called: the token budget spent, open streams, nn contexts.
    public internal(set) var inference = GuestInference()

    var requestBodyOffset = 0
    var bytesWritten = 0

    public init(
        request: GuestRequest, maxResponseBytes: Int, deadline: UInt64?,
        stream: (any ResponseStreamSink)? = nil, services: (any GuestServices)? = nil,
        log: @escaping @Sendable (GuestLogLevel, String) -> Void = { _, _ in }
    ) {
        self.request = request
        self.maxResponseBytes = maxResponseBytes
        self.deadline = deadline
        self.stream = stream
        self.services = services
        self.log = log
    }

    /// The services, or ``ABIError/denied`` when the host offers none.
    func requireServices() throws(ABIError) -> any GuestServices {
        guard let services else { throw .denied }
        return services
    }

    /// Runs a building-block operation while the guest waits, bounded by the deadline.
    func perform<T: Sendable>(_ operation: @escaping @Sendable (any GuestServices) async throws(BuildingBlockError) -> T)
        throws(ABIError) -> T
    {
        let services = try requireServices()
        return try services.wait(until: deadline) { () async throws(BuildingBlockError) -> T in
            try await operation(services)
        }
    }

    /// Keeps a result for `result_read`/`result_meta` and copies its body out if it fits.
    func deliver(_ result: GuestResult, to memory: some GuestMemoryView, pointer: UInt32, capacity: UInt32)
        throws(ABIError) -> Int64
    {
        lastResult = result
        return Int64(try memory.copyOut(result.body, to: pointer, capacity: capacity))
    }

    /// Whether the deadline has passed.
    public var isPastDeadline: Bool {
        guard let deadline else { return false }
        return MonotonicClock.now() >= deadline
    }

    /// The response as built so far (for a call that never committed).
    public var response: GuestResponse {
        GuestResponse(status: status, headers: headers, body: body)
    }

    /// Appends body bytes, enforcing the response cap.
    public func appendBody(_ bytes: UnsafeRawBufferPointer) throws(ABIError) {
        guard bytesWritten + bytes.count <= maxResponseBytes else {
            violation = .responseTooLarge(limit: maxResponseBytes)
            throw .tooLarge
        }
        bytesWritten += bytes.count
        body.append(contentsOf: bytes)
    }

    /// Sends status, headers (first time) and the buffered body to the stream.
    public func flush() {
        guard let stream else { return }
        if !isCommitted {
            stream.head(status: status, headers: headers)
            isCommitted = true
        }
        if !body.isEmpty {
            stream.chunk(body)
            body.removeAll(keepingCapacity: true)
        }
    }
}

/// A limit a guest crossed while running.
public enum LimitViolation: Equatable, Sendable, CustomStringConvertible {
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .responseTooLarge(let limit): "response body exceeds the limit of \(limit) bytes"
        }
    }
}

/// Severity of a guest log line.
public enum GuestLogLevel: Int32, Sendable {
    case trace = 0, debug, info, warning, error
}

extension GuestCall {
    /// `headers` plus the request's trace context (`traceparent`, `tracestate`) unless the
    /// guest set its own: what a guest calls continues the trace it was called in.
    func withTraceContext(_ headers: HeaderList) -> HeaderList {
        // Both lists hold lowercase names (HeaderLines.parse, the triggers' canonical names).
        guard !headers.contains(where: { $0.name == "traceparent" }), let traceparent = request.header("traceparent") else {
            return headers
        }
        return headers + [("traceparent", traceparent)] + (request.header("tracestate").map { [("tracestate", $0)] } ?? [])
    }
}
