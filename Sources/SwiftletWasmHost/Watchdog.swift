import Foundation
import SwiftletABI
import Synchronization

/// Stops guest calls that run past their deadline.
///
/// WasmKit cannot be preempted, but a fuel-metered engine checks its fuel at every loop
/// back-edge and call, so a watchdog thread zeroes the store's fuel when a deadline passes
/// and the guest traps "out of fuel" at its next check. The write races with the
/// interpreter's own fuel updates by design; the watchdog repeats it every tick until the
/// call ends, so a lost update only delays the stop by one tick.
public final class Watchdog: Sendable {
    /// One watched call.
    public final class Watch: @unchecked Sendable {
        let deadline: UInt64
        let interrupt: () -> Void
        // Written by the watchdog thread, read by the worker after the call returns; the
        // registry lock orders both.
        fileprivate(set) var fired = false

        init(deadline: UInt64, interrupt: @escaping () -> Void) {
            self.deadline = deadline
            self.interrupt = interrupt
        }

        /// Whether the deadline passed while the call ran.
        public var didFire: Bool { fired }
    }

    private struct State {
        var watches: [ObjectIdentifier: Watch] = [:]
        var running = false
        /// The thread parks after a second without watches, so an idle host costs nothing.
        var parked = false
    }

    private let state = Mutex(State())
    private let wake = NSCondition()
    /// How often deadlines are checked, in nanoseconds.
    public let tick: UInt64

    public static let shared = Watchdog()

    public init(tickMilliseconds: UInt64 = 5) {
        tick = tickMilliseconds * 1_000_000
    }

    /// Watches a call until ``finish(_:)``; `interrupt` runs on the watchdog thread,
    /// repeatedly, once `deadline` (``MonotonicClock`` nanoseconds) has passed.
    public func watch(deadline: UInt64, interrupt: @escaping () -> Void) -> Watch {
        let watch = Watch(deadline: deadline, interrupt: interrupt)
        let (startThread, unpark) = state.withLock { state -> (Bool, Bool) in
            state.watches[ObjectIdentifier(watch)] = watch
            let unpark = state.parked
            state.parked = false
            if state.running { return (false, unpark) }
            state.running = true
            return (true, false)
        }
        if unpark {
            wake.lock()
            wake.signal()
            wake.unlock()
        }
        if startThread {
            let thread = Thread { [self] in run() }
            thread.name = "swiftlet-watchdog"
            thread.start()
        }
        return watch
    }

    /// Stops watching; returns whether the deadline fired.
    @discardableResult
    public func finish(_ watch: Watch) -> Bool {
        state.withLock { state in
            state.watches[ObjectIdentifier(watch)] = nil
            return watch.fired
        }
    }

    private func run() {
        var lastBusy = MonotonicClock.now()
        while true {
            let now = MonotonicClock.now()
            let park = state.withLock { state -> Bool in
                for watch in state.watches.values where watch.deadline <= now {
                    watch.fired = true
                    watch.interrupt()
                }
                if !state.watches.isEmpty {
                    lastBusy = now
                } else if now - lastBusy > 1_000_000_000 {
                    state.parked = true
                }
                return state.parked
            }
            wake.lock()
            if park {
                // Woken by `watch`; a signal sent before this wait is caught by re-checking
                // `parked` under the condition's lock.
                while state.withLock({ $0.parked }) { wake.wait() }
                lastBusy = MonotonicClock.now()
            } else {
                _ = wake.wait(until: Date(timeIntervalSinceNow: Double(tick) / 1e9))
            }
            wake.unlock()
        }
    }
}
