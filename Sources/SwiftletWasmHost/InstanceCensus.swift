import Synchronization

/// Counts one host's instances that are still alive and the linear memory they hold.
///
/// An instance is counted from creation until its engine has really let go of it (the
/// store, its memory and its host functions), not until Swiftlet is done with it: the
/// difference is exactly what a leak is, so `/metrics` and the tests read it here.
public final class InstanceCensus: Sendable {
    private let live = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    public init() {}

    /// Instances whose engine state has not been freed yet.
    public var liveInstances: Int { live.load(ordering: .relaxed) }
    /// Linear memory held by those instances, in bytes.
    public var linearMemoryBytes: Int { bytes.load(ordering: .relaxed) }

    /// Opens the account of one new instance; the engine tier keeps it alive exactly as
    /// long as the instance's own engine state.
    func open() -> InstanceAccount { InstanceAccount(census: self) }

    fileprivate func opened() { live.add(1, ordering: .relaxed) }
    fileprivate func closed(holding held: Int) {
        live.subtract(1, ordering: .relaxed)
        bytes.subtract(held, ordering: .relaxed)
    }
    fileprivate func resized(by delta: Int) { bytes.add(delta, ordering: .relaxed) }
}

/// One instance's entry in the census: its deinit is the proof that the instance is gone.
public final class InstanceAccount: Sendable {
    private let census: InstanceCensus
    private let held = Atomic<Int>(0)

    fileprivate init(census: InstanceCensus) {
        self.census = census
        census.opened()
    }

    /// Records the size the engine just gave the instance's linear memory.
    public func memoryResized(to byteCount: Int) {
        let previous = held.exchange(byteCount, ordering: .relaxed)
        census.resized(by: byteCount - previous)
    }

    deinit {
        census.closed(holding: held.load(ordering: .relaxed))
    }
}
