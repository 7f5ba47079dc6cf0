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
    /// One watched call, until ``finish(_:)``.
    public struct Watch: Sendable {
        let id: UInt64
    }

    private struct State {
        var schedule = DeadlineSchedule()
        var interrupts: [UInt64: @Sendable () -> Void] = [:]
        var running = false
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
        let (id, unpark, startThread) = state.withLock { state -> (UInt64, Bool, Bool) in
            let (id, wake) = state.schedule.watch(deadline: deadline)
            state.interrupts[id] = interrupt
            let start = !state.running
            state.running = true
            return (id, wake, start)
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
        return Watch(id: id)
    }

    /// Stops watching; returns whether the deadline fired.
    @discardableResult
    public func finish(_ watch: Watch) -> Bool {
        state.withLock { state in
            state.interrupts[watch.id] = nil
            return state.schedule.finish(watch.id)
        }
    }

    private func run() {
        while true {
            let park = state.withLock { state -> Bool in
                let (overdue, park) = state.schedule.tick(now: MonotonicClock.now())
                // Under the lock: a call that finishes concurrently waits, so its instance
                // is never interrupted after its owner has moved on.
                for id in overdue { state.interrupts[id]?() }
                return park
            }
            wake.lock()
            if park {
                // Woken by `watch`; a signal sent before this wait is caught by re-checking
                // `parked` under the condition's lock.
                while state.withLock({ $0.schedule.parked }) { wake.wait() }
                state.withLock { $0.schedule.woke(now: MonotonicClock.now()) }
            } else {
                _ = wake.wait(until: Date(timeIntervalSinceNow: Double(tick) / 1e9))
            }
            wake.unlock()
        }
    }
}
