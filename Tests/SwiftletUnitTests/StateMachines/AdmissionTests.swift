import Testing

@testable import SwiftletWasmHost

/// Admission as a state machine, and the gate that applies it to waiting tasks.
@Suite("Admission")
struct AdmissionTests {
    @Test func runsQueuesThenRefuses() {
        var machine = AdmissionMachine(maxConcurrency: 2, maxQueue: 1)
        #expect(machine.enter() == .admitted)
        #expect(machine.enter() == .admitted)
        #expect(machine.enter() == .queued(1))
        #expect(machine.enter() == .refused)
        let free = machine.tryEnter()
        #expect(!free, "no free slot for a caller that cannot wait")
    }

    @Test func aFreedSlotGoesToTheFirstWaiterInOrder() {
        var machine = AdmissionMachine(maxConcurrency: 1, maxQueue: 3)
        #expect(machine.enter() == .admitted)
        #expect(machine.enter() == .queued(1))
        #expect(machine.enter() == .queued(2))
        #expect(machine.leave() == 1)
        #expect(machine.running == 1, "the slot was handed over, not freed")
        #expect(machine.leave() == 2)
        #expect(machine.leave() == nil)
        #expect(machine.running == 0)
        let entered = machine.tryEnter()
        #expect(entered)
    }

    @Test func aCancelledWaiterLeavesTheLineAndFreesItsPlace() {
        var machine = AdmissionMachine(maxConcurrency: 1, maxQueue: 1)
        #expect(machine.enter() == .admitted)
        guard case .queued(let id) = machine.enter() else { Issue.record("expected to wait"); return }
        // Cancelled before its task even suspended: decided here, once.
        let cancelled = machine.cancel(id)
        #expect(cancelled)
        #expect(machine.queue.isEmpty)
        #expect(machine.enter() == .queued(id + 1), "its place in line is free again")
        let twice = machine.cancel(id)
        #expect(!twice, "cancelling twice changes nothing")
    }

    @Test func aWaiterAdmittedBeforeItsCancellationRuns() {
        var machine = AdmissionMachine(maxConcurrency: 1, maxQueue: 1)
        _ = machine.enter()
        guard case .queued(let id) = machine.enter() else { Issue.record("expected to wait"); return }
        #expect(machine.leave() == id)
        let late = machine.cancel(id)
        #expect(!late, "too late: it holds the slot and leaves like any request")
        #expect(machine.running == 1)
        #expect(machine.leave() == nil)
        #expect(machine.running == 0)
    }

    @Test func theGateRefusesACancelledWaiterAndKeepsItsCount() async throws {
        let gate = AdmissionGate(maxConcurrency: 1, maxQueue: 4)
        try await gate.enter()
        let waiter = Task { try await gate.enter() }
        // Cancelled whether or not it has suspended yet; either way it is refused.
        waiter.cancel()
        await #expect(throws: GuestFailure.self) { try await waiter.value }
        // The running request's slot is intact: it passes to the next waiter on leave.
        let next = Task { try await gate.enter() }
        gate.leave()
        try await next.value
        #expect(!gate.tryEnter(), "the waiter took the slot")
        gate.leave()
        #expect(gate.tryEnter())
        gate.leave()
    }
}
