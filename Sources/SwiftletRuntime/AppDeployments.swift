import Foundation
import Logging
import ServiceLifecycle
import SwiftletBlocks
import SwiftletResources
import SwiftletHTTPTrigger
import Synchronization
import SwiftletCore

/// The versions of the app one server runs: a stable version, and optionally a canary that
/// takes a share of the HTTP traffic. Deploying loads the new version beside the old one,
/// switches new requests to it, and lets the old one's in-flight requests finish before its
/// instances close, so an update under load fails no request. Event triggers run for the
/// stable version only (a canary must not consume a subscription's messages twice).
public final class AppDeployments: RouterSource, Sendable {
    /// One loaded version and the requests it is serving.
    public final class Version: Sendable {
        public let number: Int
        public let app: LoadedApp
        /// What it was deployed from: a directory, a manifest or an `oci://…@sha256:` reference
        /// (a tag is recorded as the digest it pointed to, so rollback returns to those bytes).
        public let source: String
        public let deployedAt: Date
        let inflight = Atomic<Int>(0)
        let triggers = Locked<Task<Void, Never>?>(nil)

        init(number: Int, app: LoadedApp, source: String) {
            self.number = number
            self.app = app
            self.source = source
            self.deployedAt = Date()
        }

        public var requestsInFlight: Int { inflight.load(ordering: .relaxed) }
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
    }

    private struct State {
        var stable: Version
        var canary: Version?
        var canaryWeight = 0
        var draining: [Version] = []
        var history: [String] = []
        var nextNumber = 2
        var triggersRunning = false
    }

    let base: LoadedApp
    let logger: Logger
    /// Resolves a source to a manifest path (pulling `oci://` references) and the source
    /// pinned to what it resolved to (a tag becomes its digest), which is what is recorded.
    let resolve: @Sendable (String) async throws -> (manifestPath: String, pinned: String)
    /// Runs on every version loaded later (the Dapr sidecar attaches its invoker).
    let prepare: Locked<(@Sendable (LoadedApp) -> Void)?>
    private let state: Locked<State>
    /// One deployment at a time.
    private let deploying = AsyncLock()

    init(
        base: LoadedApp, source: String, logger: Logger,
        resolve: @escaping @Sendable (String) async throws -> (manifestPath: String, pinned: String)
    ) {
        self.base = base
        self.logger = logger
        self.resolve = resolve
        self.prepare = Locked(nil)
        state = Locked(State(stable: Version(number: 1, app: base, source: source)))
    }

    public var snapshot: Snapshot {
        state.withLock { Snapshot(stable: $0.stable, canary: $0.canary, canaryWeight: $0.canaryWeight, draining: $0.draining, history: $0.history) }
    }

    /// The stable version's app (the Dapr sidecar's local app, event triggers).
    public var current: LoadedApp { state.withLock { $0.stable.app } }

    // MARK: Routing

    public func lease() -> RouterLease {
        let version = state.withLock { state -> Version in
            if let canary = state.canary, state.canaryWeight > 0, Int.random(in: 0..<100) < state.canaryWeight { return canary }
            return state.stable
        }
        version.inflight.wrappingAdd(1, ordering: .relaxed)
        return RouterLease(router: version.app.router) { version.inflight.wrappingSubtract(1, ordering: .relaxed) }
    }

    // MARK: Changes

    /// Makes `source` the stable version (weight 100); the previous stable version and any
    /// canary drain and close.
    public func deploy(_ source: String) async throws -> Version {
        try await deploying.withLock {
            let version = try await load(source)
            let retired = state.withLock { state -> [Version] in
                let old = [state.stable] + (state.canary.map { [$0] } ?? [])
                state.history.append(state.stable.source)
                state.stable = version
                state.canary = nil
                state.canaryWeight = 0
                state.draining += old
                return old
            }
            await switchTriggers(from: retired.first, to: version)
            logger.notice("deployed version \(version.number) of \(version.app.manifest.name) from \(source)")
            retire(retired)
            return version
        }
    }

    /// Loads `source` beside the stable version and sends it `weight` percent of requests;
    /// with a canary already running, replaces it.
    public func canary(_ source: String, weight: Int) async throws -> Version {
        guard (0...100).contains(weight) else { throw DeploymentError("a canary weight is a percentage, 0 to 100") }
        return try await deploying.withLock {
            let version = try await load(source)
            let replaced = state.withLock { state -> Version? in
                defer {
                    state.canary = version
                    state.canaryWeight = weight
                }
                if let old = state.canary { state.draining.append(old) }
                return state.canary
            }
            logger.notice("canary version \(version.number) from \(source) takes \(weight)% of requests")
            if let replaced { retire([replaced]) }
            return version
        }
    }

    /// Changes the canary's share of requests.
    public func setCanaryWeight(_ weight: Int) throws {
        guard (0...100).contains(weight) else { throw DeploymentError("a canary weight is a percentage, 0 to 100") }
        try state.withLock { state in
            guard state.canary != nil else { throw DeploymentError("there is no canary") }
            state.canaryWeight = weight
        }
    }

    /// The canary becomes the stable version.
    public func promote() async throws -> Version {
        try await deploying.withLock {
            let (old, promoted) = try state.withLock { state -> (Version, Version) in
                guard let canary = state.canary else { throw DeploymentError("there is no canary to promote") }
                let old = state.stable
                state.history.append(old.source)
                state.stable = canary
                state.canary = nil
                state.canaryWeight = 0
                state.draining.append(old)
                return (old, canary)
            }
            await switchTriggers(from: old, to: promoted)
            logger.notice("promoted canary version \(promoted.number)")
            retire([old])
            return promoted
        }
    }

    /// Drops the canary if there is one; otherwise redeploys the previous stable source.
    public func rollback() async throws -> Version {
        let canary = state.withLock { state -> Version? in
            guard let canary = state.canary else { return nil }
            state.canary = nil
            state.canaryWeight = 0
            state.draining.append(canary)
            return canary
        }
        if let canary {
            logger.notice("rolled back canary version \(canary.number)")
            retire([canary])
            return state.withLock { $0.stable }
        }
        guard let previous = state.withLock({ $0.history.last }) else {
            throw DeploymentError("nothing to roll back to: only one version has been deployed")
        }
        let version = try await deploy(previous)
        // The rolled-back-from source is not history to return to again.
        state.withLock { state in
            state.history.removeLast()
            if !state.history.isEmpty, state.history.last == previous { state.history.removeLast() }
        }
        return version
    }

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

    // MARK: Draining

    /// Waits for each retired version's requests to finish (at most its longest timeout and
    /// a second), then closes its instances; runs in the background.
    private func retire(_ versions: [Version]) {
        for version in versions {
            Task { [logger] in
                version.triggers.withLock { $0 }?.cancel()
                let longest = version.app.manifest.components.compactMap(\.limits.timeoutMilliseconds).max() ?? 30_000
                let deadline = ContinuousClock.now + .milliseconds(longest + 1000)
                while version.requestsInFlight > 0, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                if version.requestsInFlight > 0 {
                    logger.warning("version \(version.number) still had \(version.requestsInFlight) requests at its drain deadline")
                }
                await version.triggers.withLock { $0 }?.value
                version.app.closeComponents()
                self.state.withLock { $0.draining.removeAll { $0 === version } }
                logger.info("version \(version.number) drained and closed")
            }
        }
    }

    // MARK: Event triggers

    /// Runs the stable version's subscriptions and bindings until shutdown; deployments
    /// move them from version to version.
    func runTriggers() async {
        let first = state.withLock { state -> Version in
            state.triggersRunning = true
            return state.stable
        }
        start(first)
        try? await gracefulShutdown()
        let running = state.withLock { state -> [Version] in
            state.triggersRunning = false
            return [state.stable] + state.draining
        }
        for version in running { version.triggers.withLock { $0 }?.cancel() }
        for version in running { await version.triggers.withLock { $0 }?.value }
    }

    private func switchTriggers(from old: Version?, to new: Version) async {
        guard state.withLock({ $0.triggersRunning }) else { return }
        if let old, let task = old.triggers.withLock({ $0 }) {
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
