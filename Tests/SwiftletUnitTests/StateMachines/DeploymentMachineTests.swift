import Testing

@testable import SwiftletRuntime

/// The deployment state machine without sockets, apps or clocks: time is a number the test
/// moves.
@Suite("Deployment state machine")
struct DeploymentMachineTests {
    typealias Action = DeploymentMachine.Action
    let second: UInt64 = 1_000_000_000

    @Test func aRequestCountedOnAVersionKeepsItOpenUntilItEnds() {
        var machine = DeploymentMachine(first: 1, source: "v1")
        // Chosen and counted in one step: the retirement that follows sees the request.
        #expect(machine.lease { 0 } == 1)
        let actions = machine.deploy(2, source: "v2", drainDeadline: 10 * second)
        #expect(actions == [.startTriggers(version: 2)], "v1 has a request running: it drains, it is not closed")
        #expect(machine.draining[1] == .init(inflight: 1, deadline: 10 * second))
        #expect(machine.lease { 0 } == 2, "new requests go to the new version")
        // The drain ends with the last request, not at the next poll.
        #expect(machine.release(1) == .close(version: 1, leftover: 0))
        #expect(machine.draining.isEmpty)
        #expect(machine.release(2) == nil)
        #expect(machine.inflight == [2: 0])
    }

    @Test func noRandomNumberIsDrawnWithoutACanary() {
        var machine = DeploymentMachine(first: 1, source: "v1")
        var draws = 0
        let chosen = machine.lease {
            draws += 1
            return 0
        }
        #expect(chosen == 1)
        #expect(draws == 0, "the per-request path draws a random number only for a canary split")
    }

    @Test func anIdleVersionClosesAtOnce() {
        var machine = DeploymentMachine(first: 1, source: "v1")
        #expect(machine.deploy(2, source: "v2", drainDeadline: 5) == [.startTriggers(version: 2), .close(version: 1, leftover: 0)])
        #expect(machine.history == ["v1"])
        #expect(machine.sources == [2: "v2"])
    }

    @Test func aDrainDeadlineClosesWhatOutlivesIt() {
        var machine = DeploymentMachine(first: 1, source: "v1")
        _ = machine.lease { 0 }
        _ = machine.lease { 0 }
        _ = machine.deploy(2, source: "v2", drainDeadline: 30 * second)
        #expect(machine.nextDeadline == 30 * second)
        #expect(machine.expire(now: 29 * second).isEmpty)
        #expect(machine.release(1) == nil, "one of two requests ended")
        #expect(machine.expire(now: 30 * second) == [.close(version: 1, leftover: 1)])
        #expect(machine.nextDeadline == nil)
        // The straggler ending later changes nothing.
        #expect(machine.release(1) == nil)
    }

    @Test func aCanaryTakesItsShareAndPromotionRetiresTheOldStable() throws {
        var machine = DeploymentMachine(first: 1, source: "v1")
        #expect(try machine.startCanary(2, source: "v2", weight: 25, drainDeadline: 9).isEmpty)
        #expect(machine.lease { 24 } == 2)
        #expect(machine.lease { 25 } == 1)
        try machine.setCanaryWeight(0)
        #expect(machine.lease { 0 } == 1, "weight 0: the canary gets nothing")
        #expect(throws: DeploymentError.self) { try machine.setCanaryWeight(101) }
        let actions = try machine.promote(drainDeadline: 9)
        #expect(actions == [.startTriggers(version: 2)], "v1 still has two requests")
        #expect(machine.stable == 2 && machine.canary == nil && machine.canaryWeight == 0)
        #expect(machine.draining[1]?.inflight == 2)
        #expect(machine.history == ["v1"])
        #expect(throws: DeploymentError.self) { try machine.promote(drainDeadline: 9) }
    }

    @Test func aNewCanaryReplacesTheOldOne() throws {
        var machine = DeploymentMachine(first: 1, source: "v1")
        _ = try machine.startCanary(2, source: "v2", weight: 100, drainDeadline: 9)
        #expect(machine.lease { 50 } == 2)
        #expect(try machine.startCanary(3, source: "v3", weight: 50, drainDeadline: 9).isEmpty)
        #expect(machine.canary == 3)
        #expect(machine.release(2) == .close(version: 2, leftover: 0))
    }

    @Test func rollbackDropsACanaryFirst() throws {
        var machine = DeploymentMachine(first: 1, source: "v1")
        _ = try machine.startCanary(2, source: "v2", weight: 10, drainDeadline: 9)
        #expect(try machine.rollback(drainDeadline: 9) == .droppedCanary(version: 2, actions: [.close(version: 2, leftover: 0)]))
        #expect(machine.canary == nil && machine.stable == 1)
    }

    @Test func rollbackReturnsToThePreviousSourceAndForgetsBoth() throws {
        var machine = DeploymentMachine(first: 1, source: "v1")
        _ = machine.deploy(2, source: "v2", drainDeadline: 9)
        _ = machine.deploy(3, source: "v3", drainDeadline: 9)
        #expect(machine.history == ["v1", "v2"])
        #expect(try machine.rollback(drainDeadline: 9) == .redeploy(source: "v2"))
        // The owner loaded v2 again as version 4: history loses v2 in the same step.
        let actions = machine.rolledBack(to: 4, source: "v2", drainDeadline: 9)
        #expect(actions == [.startTriggers(version: 4), .close(version: 3, leftover: 0)])
        #expect(machine.history == ["v1"], "v3 is not history to return to, and v2 is current")
        #expect(try machine.rollback(drainDeadline: 9) == .redeploy(source: "v1"))
        _ = machine.rolledBack(to: 5, source: "v1", drainDeadline: 9)
        #expect(throws: DeploymentError.self) { try machine.rollback(drainDeadline: 9) }
    }

    @Test func deployingOverACanaryRetiresBoth() throws {
        var machine = DeploymentMachine(first: 1, source: "v1")
        _ = try machine.startCanary(2, source: "v2", weight: 50, drainDeadline: 9)
        _ = machine.lease { 0 }  // on the canary
        let actions = machine.deploy(3, source: "v3", drainDeadline: 9)
        #expect(actions == [.startTriggers(version: 3), .close(version: 1, leftover: 0)])
        #expect(machine.draining.keys.sorted() == [2])
        #expect(machine.canary == nil && machine.canaryWeight == 0)
    }
}
