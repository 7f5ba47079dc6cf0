import SwiftletCore
import Testing

/// The scheduler's wake-up: a signal ends a wait early, a signal before a wait is kept, and
/// without one the wait ends at its timeout.
@Suite struct AsyncSignalTests {
    @Test func signalBeforeOrDuringAWaitEndsItAndTimeoutsEndTheRest() async {
        let signal = AsyncSignal()
        signal.signal()
        let clock = ContinuousClock()
        var elapsed = await clock.measure { await signal.wait(timeout: .seconds(30)) }
        #expect(elapsed < .seconds(5), "a pending signal ends the next wait at once")
        elapsed = await clock.measure { await signal.wait(timeout: .milliseconds(50)) }
        #expect(elapsed >= .milliseconds(50), "no signal: the timeout")
        let waiting = Task { await clock.measure { await signal.wait(timeout: .seconds(30)) } }
        try? await Task.sleep(for: .milliseconds(50))
        signal.signal()
        #expect(await waiting.value < .seconds(5))
    }

    @Test func cancellingTheWaiterEndsTheWait() async {
        let signal = AsyncSignal()
        let waiting = Task { await ContinuousClock().measure { await signal.wait(timeout: .seconds(30)) } }
        try? await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value < .seconds(5))
    }
}
