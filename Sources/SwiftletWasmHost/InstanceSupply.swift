import SwiftletCore

/// Hands out instances of one component: warm ones reused across requests, or fresh ones
/// that never served before, prepared ahead by the ``Prewarmer``.
final class InstanceSupply: Sendable {
    /// An instance lent to one request.
    struct Lease: Sendable {
        let instance: any GuestInstance
        let served: Int
    }

    private struct State {
        /// Warm: idle instances, most recently used last. Fresh: prepared instances.
        var ready: [Lease] = []
        /// Instances being prepared by the prewarmer right now.
        var preparing = 0
        var closed = false
    }

    let name: String
    let isolation: Isolation
    let recycle: RecyclePolicy
    /// How many prepared instances a fresh supply keeps, or idle ones a warm supply starts with.
    let target: Int
    private let module: any GuestModule
    var engine: EngineKind { module.engine }
    private let options: InstanceOptions
    private let makeSession: @Sendable () -> GuestSession
    private let state = Locked(State())
    private let prewarmer: Prewarmer
    private let metrics: ComponentMetrics

    init(
        name: String, module: any GuestModule, options: InstanceOptions, isolation: Isolation,
        recycle: RecyclePolicy, target: Int, prewarmer: Prewarmer, metrics: ComponentMetrics,
        makeSession: @escaping @Sendable () -> GuestSession
    ) {
        self.name = name
        self.metrics = metrics
        self.module = module
        self.options = options
        self.isolation = isolation
        self.recycle = recycle
        self.target = target
        self.prewarmer = prewarmer
        self.makeSession = makeSession
    }

    /// Creates the first instances now, so a module that cannot be instantiated fails at
    /// startup rather than on its first request.
    func start() throws(GuestFailure) {
        let first = try makeInstance(prepareAhead: true)
        state.withLock { $0.ready.append(Lease(instance: first, served: 0)) }
        if target > 1 { prewarmer.schedule(self) }
    }

    /// An instance for one request: a ready one if there is one, else a new one made now.
    func acquire() throws(GuestFailure) -> Lease {
        let lease = state.withLock { $0.ready.popLast() }
        if isolation == .fresh { prewarmer.schedule(self) }
        if let lease {
            if lease.served > 0 { metrics.instancesReused.increment() }
            return lease
        }
        return Lease(instance: try makeInstance(prepareAhead: false), served: 0)
    }

    /// Returns an instance after its request; it is kept only if warm, healthy and within
    /// the recycle policy.
    func release(_ lease: Lease, healthy: Bool) {
        let served = lease.served + 1
        let keep =
            isolation == .warm && healthy && served < recycle.maxRequests
            && recycle.memoryBytes.map { lease.instance.memoryByteCount <= $0 } ?? true
        if keep {
            let kept = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.ready.append(Lease(instance: lease.instance, served: served))
                return true
            }
            if kept { return }
        }
        lease.instance.close()
    }

    /// Prepares one instance if below target; returns whether more are wanted.
    func fillOne() -> Bool {
        let wanted = state.withLock { state -> Bool in
            guard !state.closed, state.ready.count + state.preparing < target else { return false }
            state.preparing += 1
            return true
        }
        guard wanted else { return false }
        let instance = try? makeInstance(prepareAhead: true)
        let (more, unwanted) = state.withLock { state -> (Bool, (any GuestInstance)?) in
            state.preparing -= 1
            guard let instance else { return (false, nil) }
            // Closed while this one was being made: it is nobody's, so it is freed here.
            guard !state.closed else { return (false, instance) }
            state.ready.append(Lease(instance: instance, served: 0))
            return (state.ready.count + state.preparing < target, nil)
        }
        unwanted?.close()
        return more
    }

    /// Closes idle instances and stops refilling.
    func close() {
        let idle = state.withLock { state -> [Lease] in
            state.closed = true
            defer { state.ready = [] }
            return state.ready
        }
        for lease in idle { lease.instance.close() }
    }

    /// Instances this supply holds between requests (idle or prepared), and their memory.
    var held: (instances: Int, bytes: Int) {
        state.withLock { state in
            (state.ready.count, state.ready.reduce(0) { $0 + $1.instance.memoryByteCount })
        }
    }

    private func makeInstance(prepareAhead: Bool) throws(GuestFailure) -> any GuestInstance {
        let instance = try module.instantiate(options, session: makeSession(), prepareAhead: prepareAhead)
        metrics.instancesCreated.increment()
        return instance
    }
}
