import Instrumentation
import Logging
import SwiftletABI

/// A loaded component: its module, instances, admission control and executor.
public final class ComponentHost: Sendable {
    public let configuration: ComponentConfiguration
    let supply: InstanceSupply
    let gate: AdmissionGate
    let workers: GuestWorkerPool
    let logger: Logger
    /// Failures, limit hits, fuel and instances of this component.
    public let metrics: ComponentMetrics

    /// Whether the guest can stream (imports `resp_flush`): its calls need their own job so
    /// the head can be answered while the guest still runs.
    let streams: Bool

    init(
        configuration: ComponentConfiguration, supply: InstanceSupply, streams: Bool, workers: GuestWorkerPool,
        metrics: ComponentMetrics, logger: Logger
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.supply = supply
        self.streams = streams
        self.workers = workers
        self.logger = logger
        gate = AdmissionGate(
            maxConcurrency: configuration.limits.maxConcurrency, maxQueue: configuration.limits.maxQueue)
    }

    public var id: String { configuration.id }
    /// The tier the component runs on.
    public var engine: EngineKind { supply.engine }
    /// Instances waiting between requests and the linear memory they hold.
    public var heldInstances: (instances: Int, bytes: Int) { supply.held }
    public var limits: ComponentLimits { configuration.limits }

    /// Runs the component for one request on a worker thread.
    public func handle(_ request: GuestRequest) async throws(GuestFailure) -> GuestReply {
        do {
            try await gate.enter()
        } catch {
            // A client that gave up while queued is not a concurrency limit hit.
            if !Task.isCancelled { metrics.record(error) }
            throw error
        }
        // Already on a worker (the server's tasks prefer the pool): run the guest right here.
        // The pool notices a call that runs long and lets another thread take over the queue.
        if !streams, workers.isCurrentThread {
            defer { gate.leave() }
            return .complete(try invoke(request, sink: nil))
        }
        // The job runs outside this task: carry its trace context over, so the guest's log
        // lines stay tied to the request's span.
        let traceContext = ServiceContext.current
        let result: Result<GuestReply, GuestFailure> = await withUnsafeContinuation { continuation in
            let rendezvous = ReplyRendezvous(continuation)
            workers.submit { [self] in
                let run = { Result { () throws(GuestFailure) -> GuestResponse in try self.invoke(request, sink: rendezvous) } }
                let result = traceContext.map { ServiceContext.withValue($0, operation: run) } ?? run()
                gate.leave()
                rendezvous.complete(result)
            }
        }
        return try result.get()
    }

    /// Serves a service invocation on the calling thread: the caller (another guest) waits
    /// anyway, and a nested call cannot deadlock on a busy pool. The callee runs under its
    /// own limits but never past the caller's deadline; a full component refuses at once.
    public func invokeNested(_ request: GuestRequest, callerDeadline: UInt64?) throws(GuestFailure) -> GuestResponse {
        guard gate.tryEnter() else {
            let failure = GuestFailure(.overloaded, "\(id) is at its concurrency limit")
            metrics.record(failure)
            throw failure
        }
        defer { gate.leave() }
        return try invoke(request, sink: nil, deadline: callerDeadline)
    }

    /// Runs the guest synchronously on the current (worker) thread.
    func invoke(_ request: GuestRequest, sink: (any ResponseStreamSink)?, deadline callerDeadline: UInt64? = nil)
        throws(GuestFailure) -> GuestResponse
    {
        let limits = configuration.limits
        let ownDeadline = MonotonicClock.now() + UInt64(limits.timeoutMilliseconds) * 1_000_000
        let deadline = min(ownDeadline, callerDeadline ?? .max)
        let lease: InstanceSupply.Lease
        do {
            lease = try supply.acquire()
        } catch {
            metrics.record(error)
            throw error
        }
        let session = lease.instance.session
        let call = GuestCall(
            request: request, maxResponseBytes: limits.maxResponseBytes, deadline: deadline,
            stream: configuration.executor == .handler ? sink : nil, services: configuration.services,
            log: guestLogger(request))
        do {
            let response: GuestResponse
            switch configuration.executor {
            case .handler:
                response = try runHandler(lease.instance, call: call, deadline: deadline)
            case .wagi:
                response = try runWagi(lease.instance, call: call, deadline: deadline)
            }
            supply.release(lease, healthy: true)
            return response
        } catch {
            session.end()
            supply.release(lease, healthy: false)
            let failure = failure(error)
            metrics.record(failure)
            throw failure
        }
    }

    private func runHandler(_ instance: any GuestInstance, call: GuestCall, deadline: UInt64) throws(GuestFailure)
        -> GuestResponse
    {
        instance.session.begin(call)
        let code = try run(instance, .handler, deadline: deadline)
        instance.session.end()
        if !call.faults.isEmpty {
            throw GuestFailure(
                .badPointer, "the guest passed out-of-bounds pointers to: \(call.faults.joined(separator: ", "))")
        }
        if let violation = call.violation {
            throw GuestFailure(.responseTooLarge, violation.description)
        }
        guard code == 0 else {
            throw GuestFailure(.handlerError, "\(SwiftletImportModule.handlerExport) returned \(code)")
        }
        if call.isCommitted { call.flush() }
        return call.response
    }

    private func runWagi(_ instance: any GuestInstance, call: GuestCall, deadline: UInt64) throws(GuestFailure)
        -> GuestResponse
    {
        let session = instance.session
        let request = call.request
        session.arguments = CGI.arguments(for: request, componentArguments: configuration.arguments)
        session.environment = CGI.environment(for: request, componentEnvironment: configuration.environment)
        session.begin(call, stdin: request.body)
        let exitCode = try run(instance, .command, deadline: deadline)
        session.end()
        let tooLarge = GuestFailure(
            .responseTooLarge, "response body exceeds the limit of \(configuration.limits.maxResponseBytes) bytes")
        if session.stdout.overflowed { throw tooLarge }
        let response: GuestResponse
        do {
            response = try CGI.parseResponse(session.stdout.bytes)
        } catch {
            throw GuestFailure(error.kind, exitCode == 0 ? error.message : "\(error.message) (exit code \(exitCode))")
        }
        if response.body.count > configuration.limits.maxResponseBytes { throw tooLarge }
        return response
    }

    /// Runs the guest under the component's fuel and memory limits and the deadline;
    /// returns the export's value.
    private func run(_ instance: any GuestInstance, _ entry: GuestEntry, deadline: UInt64) throws(GuestFailure) -> Int32 {
        let limits = configuration.limits
        let fuelConsumed = metrics.fuelConsumed
        return try instance.run(entry, fuel: limits.fuel, deadline: deadline, memoryLimit: limits.memoryBytes) {
            fuelConsumed.increment(by: Int64(clamping: $0))
        }.value
    }

    /// Adds the component's limits to failures that name one.
    private func failure(_ failure: GuestFailure) -> GuestFailure {
        guard failure.kind == .timeout else { return failure }
        return GuestFailure(.timeout, "timeout: the guest ran longer than \(configuration.limits.timeoutMilliseconds) ms")
    }

    private func guestLogger(_ request: GuestRequest) -> @Sendable (GuestLogLevel, String) -> Void {
        let logger = logger
        let requestID = request.origin.requestID
        return { level, message in
            logger.log(
                level: level.loggerLevel, "\(message)",
                metadata: ["request": .string(requestID), "source": "guest"])
        }
    }

    public func close() {
        supply.close()
    }
}

extension GuestLogLevel {
    var loggerLevel: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}
