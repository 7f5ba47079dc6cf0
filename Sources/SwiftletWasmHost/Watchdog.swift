import Foundation
import SwiftletABI
import SwiftletCore

/// Stops guest calls that run past their deadline: one thread for the process that asks
/// each overdue call to stop through its instance's ``GuestInstance/interrupt()``.
///
/// It never touches engine state itself; how a tier stops a call is the tier's business
/// (a signal on the guest's own thread for WasmKit, an epoch for Wasmtime). The request is
/// repeated every tick until the call ends, so a tier may lose one.
public final class Watchdog: Sendable {
    /// One watched call.
    public final class Watch: @unchecked Sendable {
        let deadline: UInt64
        let interrupt: @Sendable () -> Void
        // Written by the watchdog thread, read by the worker after the call returns; the
        // registry lock orders both.
        fileprivate(set) var fired = false

        init(deadline: UInt64, interrupt: @escaping @Sendable () -> Void) {
            self.deadline = deadline
            self.interrupt = interrupt
        }
    }

    private struct State {
        var watches: [ObjectIdentifier: Watch] = [:]
        var running = false
        /// The thread parks after a second without watches, so an idle host costs nothing.
        var parked = false
    }

    private let state = Locked(State())
    private let wake = NSCondition()
    /// How often deadlines are checked, in nanoseconds.
    public let tick: UInt64

    public static let shared = Watchdog()

    public init(tickMilliseconds: UInt64 = 5) {
        tick = tickMilliseconds * 1_000_000
    }

    /// Watches a call until ``finish(_:)``; `interrupt` runs on the watchdog thread,
    /// repeatedly, once `deadline` (``MonotonicClock`` nanoseconds) has passed.
    public func watch(deadline: UInt64, interrupt: @escaping @Sendable () -> Void) -> Watch {
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
