import Foundation
import Logging
import ServiceLifecycle
import SwiftletABI
import SwiftletBlocks
import SwiftletResources
import SwiftletHTTPTrigger
import SwiftletCore

/// The versions of the app one server runs: a stable version, and optionally a canary that
/// takes a share of the HTTP traffic. Deploying loads the new version beside the old one,
/// switches new requests to it, and lets the old one's in-flight requests finish before its
/// instances close, so an update under load fails no request. Event triggers run for the
/// stable version only (a canary must not consume a subscription's messages twice).
///
/// Which version serves, drains and closes is ``DeploymentMachine``'s decision, taken under
/// one lock; this class loads apps, runs triggers and closes what the machine says to.
public final class AppDeployments: RouterSource, Sendable {
    /// One loaded version.
    public final class Version: Sendable {
        public let number: Int
        public let app: LoadedApp
        /// What it was deployed from: a directory, a manifest or an `oci://…@sha256:` reference
        /// (a tag is recorded as the digest it pointed to, so rollback returns to those bytes).
        public let source: String
        public let deployedAt: Date
        let triggers = Locked<Task<Void, Never>?>(nil)

        init(number: Int, app: LoadedApp, source: String) {
            self.number = number
            self.app = app
            self.source = source
            self.deployedAt = Date()
        }

        /// How long its requests may still run once it is retired: its longest timeout and
        /// a second.
        var drainNanoseconds: UInt64 {
            UInt64(app.manifest.components.compactMap(\.limits.timeoutMilliseconds).max() ?? 30_000) * 1_000_000 + 1_000_000_000
        }
    }

    /// What is serving now.
    public struct Snapshot: Sendable {
        public var stable: Version
        public var canary: Version?
        /// Percent of HTTP requests the canary gets.
        public var canaryWeight: Int
        public var draining: [Version]
        /// Sources deployed before the stable one, newest last (what `rollback` returns to).
        public var history: [String]
        /// Requests running on each version, by number.
        public var requestsInFlight: [Int: Int]
    }

    private struct State {
        var machine: DeploymentMachine
        /// Every version not yet closed, by number.
        var versions: [Int: Version]
        var nextNumber = 2
        var triggersRunning = false
        /// The version whose event triggers run.
        var triggersVersion: Int?
    }

    let base: LoadedApp
    let logger: Logger
    /// Resolves a source to a manifest path (pulling `oci://` references) and the source
    /// pinned to what it resolved to (a tag becomes its digest), which is what is recorded.
    let resolve: @Sendable (String) async throws -> (manifestPath: String, pinned: String)
    /// Runs on every version loaded later (the Dapr sidecar attaches its invoker).
    let prepare: Locked<(@Sendable (LoadedApp) -> Void)?>
    private let state: Locked<State>
    /// One change at a time.
    private let deploying = AsyncLock()

    init(
        base: LoadedApp, source: String, logger: Logger,
        resolve: @escaping @Sendable (String) async throws -> (manifestPath: String, pinned: String)
    ) {
        self.base = base
        self.logger = logger
        self.resolve = resolve
        self.prepare = Locked(nil)
        state = Locked(State(machine: DeploymentMachine(first: 1, source: source), versions: [1: Version(number: 1, app: base, source: source)]))
    }

    public var snapshot: Snapshot {
        state.withLock { state in
            let machine = state.machine
            var counts = machine.inflight
            for (number, draining) in machine.draining { counts[number] = draining.inflight }
            return Snapshot(
                stable: state.versions[machine.stable]!, canary: machine.canary.flatMap { state.versions[$0] },
                canaryWeight: machine.canaryWeight,
                draining: machine.draining.keys.sorted().compactMap { state.versions[$0] }, history: machine.history,
                requestsInFlight: counts)
        }
    }

    /// The stable version's app (the Dapr sidecar's local app, event triggers).
    public var current: LoadedApp { state.withLock { $0.versions[$0.machine.stable]!.app } }

    // MARK: Routing

    public func lease() -> RouterLease {
        // Random numbers come from the system (a syscall): drawn only while a canary runs.
        let version = state.withLock { state in state.versions[state.machine.lease { Int.random(in: 0..<100) }]! }
        let number = version.number
        return RouterLease(router: version.app.router) { [self] in
            if let action = state.withLock({ $0.machine.release(number) }) { close([action]) }
        }
    }

    // MARK: Changes

    /// Makes `source` the stable version (weight 100); the previous stable version and any
    /// canary drain and close.
    public func deploy(_ source: String) async throws -> Version {
        try await deploying.withLock {
            let version = try await load(source)
            let actions = try change(adding: version) { machine, deadline in
                machine.deploy(version.number, source: version.source, drainDeadline: deadline)
            }
            await apply(actions)
            logger.notice("deployed version \(version.number) of \(version.app.manifest.name) from \(source)")
            return version
        }
    }

    /// Loads `source` beside the stable version and sends it `weight` percent of requests;
    /// with a canary already running, replaces it.
    public func canary(_ source: String, weight: Int) async throws -> Version {
        guard (0...100).contains(weight) else { throw DeploymentError("a canary weight is a percentage, 0 to 100") }
        return try await deploying.withLock {
            let version = try await load(source)
            let actions = try change(adding: version) { machine, deadline throws(DeploymentError) in
                try machine.startCanary(version.number, source: version.source, weight: weight, drainDeadline: deadline)
            }
            logger.notice("canary version \(version.number) from \(source) takes \(weight)% of requests")
            await apply(actions)
            return version
        }
    }

    /// Changes the canary's share of requests.
    public func setCanaryWeight(_ weight: Int) throws {
        try state.withLock { state throws(DeploymentError) in try state.machine.setCanaryWeight(weight) }
    }

    /// The canary becomes the stable version.
    public func promote() async throws -> Version {
        try await deploying.withLock {
            let (actions, promoted) = try change { machine, deadline throws(DeploymentError) in
                (try machine.promote(drainDeadline: deadline), machine.stable)
            }
            logger.notice("promoted canary version \(promoted)")
            await apply(actions)
            return version(promoted)
        }
    }

    /// Drops the canary if there is one; otherwise redeploys the previous stable source.
    public func rollback() async throws -> Version {
        try await deploying.withLock {
            let (rollback, stable) = try change { machine, deadline throws(DeploymentError) in
                (try machine.rollback(drainDeadline: deadline), machine.stable)
            }
            switch rollback {
            case .droppedCanary(let dropped, let actions):
                logger.notice("rolled back canary version \(dropped)")
                await apply(actions)
                return version(stable)
            case .redeploy(let previous):
                let version = try await load(previous)
                let actions = try change(adding: version) { machine, deadline in
                    machine.rolledBack(to: version.number, source: previous, drainDeadline: deadline)
                }
                await apply(actions)
                logger.notice("rolled back to version \(version.number) from \(previous)")
                return version
            }
        }
    }

    /// Applies a transition under the lock, with the drain deadline it gives a version it
    /// retires; `version` (just loaded) joins the versions the machine may name.
    private func change<T>(
        adding version: Version? = nil, _ transition: (inout DeploymentMachine, UInt64) throws(DeploymentError) -> T
    ) throws(DeploymentError) -> T {
        try state.withLock { state throws(DeploymentError) in
            let retiring = state.versions[state.machine.stable]!
            let result = try transition(&state.machine, MonotonicClock.now() + retiring.drainNanoseconds)
            if let version { state.versions[version.number] = version }
            return result
        }
    }

    private func version(_ number: Int) -> Version { state.withLock { $0.versions[number]! } }

    private func load(_ source: String) async throws -> Version {
        let (manifestPath, pinned) = try await resolve(source)
        let number = state.withLock { state in
            defer { state.nextNumber += 1 }
            return state.nextNumber
        }
        let app = try LoadedApp.load(
            manifestPath: manifestPath, sharing: base, stagingDirectory: "\(base.stagingDirectory)-v\(number)", logger: logger)
        prepare.withLock { $0 }?(app)
        return Version(number: number, app: app, source: pinned)
    }

    // MARK: Actions

    /// Moves the triggers, closes what is idle and sets the timer for drain deadlines.
    private func apply(_ actions: [DeploymentMachine.Action]) async {
        for case .startTriggers(let number) in actions { await moveTriggers(to: number) }
        close(actions)
        scheduleExpiry()
    }

    /// Closes the versions `actions` name (also when a draining version's last request
    /// ends): stops their triggers and closes their instances off the caller's thread.
    private func close(_ actions: [DeploymentMachine.Action]) {
        for case .close(let number, let leftover) in actions {
            guard let version = state.withLock({ $0.versions.removeValue(forKey: number) }) else { continue }
            if leftover > 0 {
                logger.warning("version \(number) still had \(leftover) requests at its drain deadline")
            }
            Task { [logger] in
                version.triggers.withLock { $0 }?.cancel()
                await version.triggers.withLock { $0 }?.value
                version.app.closeComponents()
                logger.info("version \(number) drained and closed")
            }
        }
    }

    /// One timer for the earliest drain deadline: a version whose requests outlive their
    /// timeouts is closed anyway. (The usual end of a drain is its last request.)
    private func scheduleExpiry() {
        guard let deadline = state.withLock({ $0.machine.nextDeadline }) else { return }
        Task { [weak self] in
            let now = MonotonicClock.now()
            if deadline > now { try? await Task.sleep(for: .nanoseconds(Int64(deadline - now))) }
            guard let self else { return }
            close(state.withLock { $0.machine.expire(now: MonotonicClock.now()) })
            scheduleExpiry()
        }
    }

    // MARK: Event triggers

    /// Runs the stable version's subscriptions and bindings until shutdown; deployments
    /// move them from version to version.
    func runTriggers() async {
        let first = state.withLock { state -> Version in
            state.triggersRunning = true
            state.triggersVersion = state.machine.stable
            return state.versions[state.machine.stable]!
        }
        start(first)
        try? await gracefulShutdown()
        let running = state.withLock { state -> [Version] in
            state.triggersRunning = false
            return Array(state.versions.values)
        }
        for version in running { version.triggers.withLock { $0 }?.cancel() }
        for version in running { await version.triggers.withLock { $0 }?.value }
    }

    /// Stops the running triggers (waiting for them, so no message is handled twice), then
    /// starts the new stable version's.
    private func moveTriggers(to number: Int) async {
        let (old, new) = state.withLock { state -> (Version?, Version?) in
            guard state.triggersRunning, let new = state.versions[number] else { return (nil, nil) }
            let old = state.triggersVersion.flatMap { state.versions[$0] }
            state.triggersVersion = number
            return (old, new)
        }
        guard let new else { return }
        if let task = old?.triggers.withLock({ $0 }) {
            task.cancel()
            await task.value
        }
        start(new)
    }

    private func start(_ version: Version) {
        let triggers = version.app.eventTriggers
        guard !triggers.isEmpty else { return }
        let task = Task {
            await withDiscardingTaskGroup { group in
                for trigger in triggers {
                    group.addTask { try? await trigger.run() }
                }
            }
        }
        version.triggers.withLock { $0 = task }
    }
}

/// A deployment that cannot happen, in words for the operator.
public struct DeploymentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
