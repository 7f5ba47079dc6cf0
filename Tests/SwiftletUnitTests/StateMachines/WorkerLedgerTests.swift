import Testing

@testable import SwiftletWasmHost

/// The worker pool's decisions, with numbers for time: a long or blocking job lets one more
/// thread work, and the extra thread stands down when the job ends.
@Suite("Worker pool ledger")
struct WorkerLedgerTests {
    let ms: UInt64 = 1_000_000
    // Times start at 1: a job start of 0 means "idle" to the ledger.

    func ledger(parallelism: Int = 2, maxThreads: Int = 4) -> WorkerLedger {
        var ledger = WorkerLedger(parallelism: parallelism, maxThreads: maxThreads, longJobThreshold: 5 * ms)
        #expect(ledger.start() == (0..<parallelism).map { .spawn($0) })
        return ledger
    }

    @Test func workersTakeQueuedWorkAndParkWhenThereIsNone() {
        var ledger = ledger()
        #expect(ledger.next(0, now: 1) == .park)
        #expect(ledger.next(1, now: 1) == .park)
        #expect(ledger.active == 0 && ledger.parked == 2)
        #expect(ledger.pushed() == .signal)
        ledger.unparked()
        #expect(ledger.next(0, now: 1) == .run)
        #expect(ledger.queued == 0)
        #expect(ledger.pushed() == .signal, "a parked thread and room under the target")
    }

    @Test func aLongJobLetsOneMoreThreadWorkUntilItEnds() {
        var ledger = ledger(parallelism: 1)
        #expect(ledger.pushed() == nil, "the one worker is active")
        #expect(ledger.next(0, now: 1) == .run)
        // Still inside the threshold: nothing.
        #expect(ledger.monitor(now: 4 * ms).isEmpty)
        // A guest looping past it: one more thread, started because none is parked.
        #expect(ledger.monitor(now: 6 * ms) == [.spawn(1)])
        #expect(ledger.target == 2 && ledger.compensations == 1)
        #expect(ledger.monitor(now: 10 * ms).isEmpty, "counted once per job")
        _ = ledger.pushed()
        #expect(ledger.next(1, now: 10 * ms) == .run, "the extra thread serves the queue")
        // The long job ends: its compensation goes, and one thread too many parks.
        ledger.finished(0)
        #expect(ledger.target == 1)
        ledger.finished(1)
        #expect(ledger.next(1, now: 11 * ms) == .park)
        #expect(ledger.next(0, now: 11 * ms) == .park)
    }

    @Test func aParkedThreadIsWokenBeforeANewOneIsStarted() {
        var ledger = ledger(parallelism: 2)
        #expect(ledger.next(1, now: 1) == .park)
        _ = ledger.pushed()
        #expect(ledger.next(0, now: 1) == .run)
        _ = ledger.pushed()  // the parked thread is not needed: two may work and one does
        #expect(ledger.monitor(now: 6 * ms) == [.signal])
    }

    @Test func threadsStopAtTheBound() {
        var ledger = ledger(parallelism: 1, maxThreads: 2)
        _ = ledger.pushed()
        #expect(ledger.next(0, now: 1) == .run)
        #expect(ledger.monitor(now: 6 * ms) == [.spawn(1)])
        _ = ledger.pushed()
        #expect(ledger.next(1, now: 6 * ms) == .run)
        _ = ledger.pushed()
        #expect(ledger.monitor(now: 12 * ms).isEmpty, "two threads is the bound, both stuck")
        #expect(ledger.slots.count == 2)
    }

    @Test func blockingCompensatesAtOnceAndOnlyOnce() {
        var ledger = ledger(parallelism: 1)
        _ = ledger.pushed()
        #expect(ledger.next(0, now: 1) == .run)
        _ = ledger.pushed()
        let first = ledger.beginBlocking(0)
        #expect(first.marked && first.wake == .spawn(1), "queued work need not wait for the threshold")
        let nested = ledger.beginBlocking(0)
        #expect(!nested.marked && nested.wake == nil)
        #expect(ledger.monitor(now: 60 * ms).isEmpty, "already compensated")
        ledger.endBlocking(0)
        #expect(ledger.compensations == 0)
    }

    @Test func stoppingLetsIdleWorkersExitAndStillRunsLateWork() {
        var ledger = ledger(parallelism: 1)
        #expect(ledger.next(0, now: 1) == .park)
        ledger.stop()
        ledger.unparked()
        #expect(ledger.next(0, now: 1) == .exit)
        #expect(ledger.active == 0 && ledger.parked == 0)
        #expect(ledger.pushed() == .spawn(1), "a task finishing after shutdown still runs")
        #expect(ledger.next(1, now: 1) == .run)
        ledger.finished(1)
        #expect(ledger.next(1, now: 1) == .exit)
    }
}
