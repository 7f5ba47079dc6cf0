import Testing

@testable import SwiftletWasmHost

/// The watchdog's schedule against a clock the test moves.
@Suite("Deadline schedule")
struct DeadlineScheduleTests {
    let ms: UInt64 = 1_000_000

    @Test func overdueCallsAreInterruptedEveryTickUntilTheyFinish() {
        var schedule = DeadlineSchedule()
        let early = schedule.watch(deadline: 10 * ms).id
        let late = schedule.watch(deadline: 50 * ms).id
        #expect(schedule.tick(now: 9 * ms).interrupt.isEmpty)
        #expect(schedule.tick(now: 10 * ms).interrupt == [early])
        // The tier may have missed the first request: it is asked again.
        #expect(schedule.tick(now: 15 * ms).interrupt == [early])
        let fired = schedule.finish(early)
        #expect(fired, "it ran past its deadline")
        #expect(schedule.tick(now: 20 * ms).interrupt.isEmpty)
        let lateFired = schedule.finish(late)
        #expect(!lateFired, "it finished in time")
        #expect(schedule.tick(now: 60 * ms).interrupt.isEmpty, "a finished call is never interrupted")
    }

    @Test func anIdleWatchdogParksAndANewWatchWakesIt() {
        var schedule = DeadlineSchedule()
        let id = schedule.watch(deadline: 100 * ms).id
        #expect(!schedule.tick(now: 1 * ms).park)
        _ = schedule.finish(id)
        #expect(!schedule.tick(now: 500 * ms).park, "idle for less than a second")
        #expect(schedule.tick(now: 1002 * ms).park)
        let (_, wake) = schedule.watch(deadline: 2000 * ms)
        #expect(wake, "a parked thread must be woken for a new deadline")
        #expect(!schedule.parked)
        let (_, again) = schedule.watch(deadline: 2000 * ms)
        #expect(!again, "a running thread needs no wake-up")
    }
}
