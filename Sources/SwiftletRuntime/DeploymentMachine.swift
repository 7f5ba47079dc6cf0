/// Which versions of an app serve, which drain and when each may close, as a value whose
/// transitions return what the I/O around it must do. No locks, tasks or clocks: the owner
/// (``AppDeployments``) applies every transition under one lock and performs the actions
/// after it, and tests drive it with a manual clock.
///
/// Versions are numbered; the owner keeps the loaded apps by number.
struct DeploymentMachine: Sendable {
    /// Something the owner must do after a transition.
    enum Action: Equatable, Sendable {
        /// The version serves nothing and never will again: stop its triggers, close its
        /// instances. `leftover` requests were still running (at a drain deadline).
        case close(version: Int, leftover: Int)
        /// The event triggers move to this version (it became the stable one).
        case startTriggers(version: Int)
    }

    struct Draining: Equatable, Sendable {
        var inflight: Int
        /// ``MonotonicClock`` nanoseconds after which the version closes with requests left.
        var deadline: UInt64
    }

    private(set) var stable: Int
    private(set) var canary: Int?
    /// Percent of requests the canary gets.
    private(set) var canaryWeight = 0
    /// Requests running on each serving (stable or canary) version.
    private(set) var inflight: [Int: Int]
    private(set) var draining: [Int: Draining] = [:]
    /// Where each version came from (what rollback returns to).
    private(set) var sources: [Int: String]
    /// Sources deployed before the stable one, newest last.
    private(set) var history: [String] = []

    init(first: Int, source: String) {
        stable = first
        inflight = [first: 0]
        sources = [first: source]
    }

    // MARK: Requests

    /// The version a new request runs on (`roll` gives a number uniform in 0..<100, asked
    /// only while a canary takes traffic), counted in the same step so that no version can
    /// be retired between being chosen and being counted.
    mutating func lease(roll: () -> Int) -> Int {
        let chosen = if let canary, canaryWeight > 0, roll() < canaryWeight { canary } else { stable }
        inflight[chosen, default: 0] += 1
        return chosen
    }

    /// A request on `version` ended; the last one of a draining version closes it.
    mutating func release(_ version: Int) -> Action? {
        if inflight[version] != nil {
            inflight[version]! -= 1
            return nil
        }
        guard var entry = draining[version] else { return nil }
        entry.inflight -= 1
        guard entry.inflight > 0 else {
            draining[version] = nil
            sources[version] = nil
            return .close(version: version, leftover: 0)
        }
        draining[version] = entry
        return nil
    }

    /// Closes every draining version whose deadline has passed, whatever still runs on it.
    mutating func expire(now: UInt64) -> [Action] {
        let overdue = draining.filter { $0.value.deadline <= now }.keys.sorted()
        return overdue.map { version in
            let leftover = draining.removeValue(forKey: version)!.inflight
            sources[version] = nil
            return .close(version: version, leftover: leftover)
        }
    }

    /// The earliest drain deadline, for the owner's timer.
    var nextDeadline: UInt64? { draining.values.map(\.deadline).min() }

    // MARK: Changes

    /// `version` becomes stable with all traffic; the old stable one and any canary drain.
    mutating func deploy(_ version: Int, source: String, drainDeadline: UInt64) -> [Action] {
        history.append(sources[stable]!)
        return replaceStable(with: version, source: source, drainDeadline: drainDeadline)
    }

    /// `version` takes `weight` percent of requests beside the stable one; a canary already
    /// running drains.
    mutating func startCanary(_ version: Int, source: String, weight: Int, drainDeadline: UInt64) throws(DeploymentError)
        -> [Action]
    {
        try Self.checkWeight(weight)
        var actions: [Action] = []
        if let old = canary { actions += retire(old, drainDeadline: drainDeadline) }
        canary = version
        canaryWeight = weight
        inflight[version] = 0
        sources[version] = source
        return actions
    }

    mutating func setCanaryWeight(_ weight: Int) throws(DeploymentError) {
        try Self.checkWeight(weight)
        guard canary != nil else { throw DeploymentError("there is no canary") }
        canaryWeight = weight
    }

    /// The canary becomes the stable version; the old stable one drains.
    mutating func promote(drainDeadline: UInt64) throws(DeploymentError) -> [Action] {
        guard let promoted = canary else { throw DeploymentError("there is no canary to promote") }
        let old = stable
        history.append(sources[old]!)
        stable = promoted
        canary = nil
        canaryWeight = 0
        return [.startTriggers(version: promoted)] + retire(old, drainDeadline: drainDeadline)
    }

    /// What a rollback does: drop the canary (done here), or return to the source before the
    /// stable one (the owner loads it, then calls ``rolledBack(to:source:drainDeadline:)``).
    enum Rollback: Equatable {
        case droppedCanary(version: Int, actions: [Action])
        case redeploy(source: String)
    }

    mutating func rollback(drainDeadline: UInt64) throws(DeploymentError) -> Rollback {
        if let dropped = canary {
            canary = nil
            canaryWeight = 0
            return .droppedCanary(version: dropped, actions: retire(dropped, drainDeadline: drainDeadline))
        }
        guard let previous = history.last else {
            throw DeploymentError("nothing to roll back to: only one version has been deployed")
        }
        return .redeploy(source: previous)
    }

    /// The previous source, loaded as `version`, becomes stable. The rolled-back-from source
    /// is not history to return to again, and the source returned to leaves history too:
    /// both in this one step, so no other change can interleave.
    mutating func rolledBack(to version: Int, source: String, drainDeadline: UInt64) -> [Action] {
        if history.last == source { history.removeLast() }
        return replaceStable(with: version, source: source, drainDeadline: drainDeadline)
    }

    // MARK: Helpers

    private mutating func replaceStable(with version: Int, source: String, drainDeadline: UInt64) -> [Action] {
        var actions: [Action] = [.startTriggers(version: version)]
        let old = stable
        stable = version
        inflight[version] = 0
        sources[version] = source
        if let canary {
            self.canary = nil
            canaryWeight = 0
            actions += retire(canary, drainDeadline: drainDeadline)
        }
        actions += retire(old, drainDeadline: drainDeadline)
        return actions
    }

    /// Stops routing to `version`; it closes now if idle, else when its last request ends
    /// or at its deadline.
    private mutating func retire(_ version: Int, drainDeadline: UInt64) -> [Action] {
        let running = inflight.removeValue(forKey: version) ?? 0
        guard running > 0 else {
            sources[version] = nil
            return [.close(version: version, leftover: 0)]
        }
        draining[version] = Draining(inflight: running, deadline: drainDeadline)
        return []
    }

    private static func checkWeight(_ weight: Int) throws(DeploymentError) {
        guard (0...100).contains(weight) else { throw DeploymentError("a canary weight is a percentage, 0 to 100") }
    }
}
