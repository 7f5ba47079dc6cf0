import Foundation
import SwiftletBlocks
@testable import SwiftletJobs
import Testing

/// A job's fires against a manual clock: periods, repeats, TTL, the lease that lets another
/// replica take over a fire whose owner died, failure policies, and the compare-and-swap
/// claim that makes one replica fire each period.
@Suite struct JobRecordTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)  // a whole second
    let lease: TimeInterval = 30

    func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    /// Claims the due fire at `now`, or fails the test.
    func claim(_ record: JobRecord, _ now: Date) throws -> (JobRecord, JobFire) {
        guard case .fire(let next, let fire) = record.step(now: now, lease: lease) else {
            Issue.record("expected a fire at \(now.timeIntervalSince(start)) s, got \(record.step(now: now, lease: lease))")
            throw CancellationError()
        }
        return (next, fire)
    }

    @Test func everySecondFiresEachPeriodAndSkipsMissedOnes() throws {
        var record = try JobRecord.new(JobDefinition(name: "tick", schedule: "@every 1s"), now: start)
        #expect(record.step(now: at(0.5), lease: lease) == .wait(until: at(1)))
        var (claimed, fire) = try claim(record, at(1.01))
        #expect(fire.due == at(1) && fire.attempt == 1)
        #expect(claimed.step(now: at(1.02), lease: lease) == .wait(until: at(31.01)), "a claimed fire waits for its lease")
        record = try #require(claimed.settled(success: true, now: at(1.05)))
        #expect(record.nextFire == at(2) && record.fired == 1)
        // Down for ten seconds: the missed periods are not replayed.
        (claimed, fire) = try claim(record, at(12.5))
        #expect(fire.due == at(2))
        #expect(claimed.nextFire == at(13.5), "the next period counts from now after a gap")
    }

    @Test func repeatsBoundTheFiresAndTheJobIsRemovedAfterTheLast() throws {
        var record = try JobRecord.new(JobDefinition(name: "twice", schedule: "@every 2s", repeats: 2), now: start)
        var (claimed, _) = try claim(record, at(2))
        record = try #require(claimed.settled(success: true, now: at(2)))
        (claimed, _) = try claim(record, at(4))
        #expect(claimed.nextFire == nil)
        #expect(claimed.settled(success: true, now: at(4)) == nil, "done after the second fire")
    }

    @Test func dueTimeAloneFiresOnceAndCronIsReadInUTC() throws {
        let once = try JobRecord.new(JobDefinition(name: "once", dueTime: "10s"), now: start)
        #expect(once.nextFire == at(10))
        let (claimed, _) = try claim(once, at(10))
        #expect(claimed.settled(success: true, now: at(10)) == nil)
        let exact = try JobRecord.new(JobDefinition(name: "at", dueTime: "2027-01-15T08:00:00Z"), now: start)
        #expect(exact.nextFire == JobTimes.rfc3339("2027-01-15T08:00:00Z"))
        let iso = try JobRecord.new(JobDefinition(name: "iso", dueTime: "PT1M30S"), now: start)
        #expect(iso.nextFire == at(90))
        // 1_800_000_000 is 2027-01-15T08:00:00Z; the next 09:30:00 UTC is 90 minutes on.
        let cron = try JobRecord.new(JobDefinition(name: "cron", schedule: "0 30 9 * * *"), now: start)
        #expect(cron.nextFire == at(5400))
    }

    @Test func ttlEndsTheJob() throws {
        let record = try JobRecord.new(JobDefinition(name: "short", schedule: "@every 1s", ttl: "2500ms"), now: start)
        #expect(record.expires == at(2.5))
        #expect(record.step(now: at(2.4), lease: lease) != .remove)
        #expect(record.step(now: at(2.6), lease: lease) == .remove)
    }

    @Test func aLapsedLeaseIsTakenOverAsTheSameFire() throws {
        let record = try JobRecord.new(JobDefinition(name: "crash", schedule: "@every 1s"), now: start)
        let (claimed, _) = try claim(record, at(1))
        // The owner died: nothing settles it. At the lease's end another replica fires it.
        let (retaken, fire) = try claim(claimed, at(31))
        #expect(fire.due == at(1) && fire.attempt == 2, "the same fire, a second try")
        #expect(retaken.fired == 1, "a takeover is not a new period")
    }

    @Test func failuresRetryByPolicyThenGiveUp() throws {
        let definition = JobDefinition(name: "flaky", schedule: "@every 10s", failurePolicy: .constant(interval: 2, maxRetries: 1))
        let record = try JobRecord.new(definition, now: start)
        var (claimed, _) = try claim(record, at(10))
        var failed = try #require(claimed.settled(success: false, now: at(10.1)))
        #expect(failed.step(now: at(11), lease: lease) == .wait(until: at(12.1)), "the retry waits its interval")
        let fire: JobFire
        (claimed, fire) = try claim(failed, at(12.1))
        #expect(fire.attempt == 2)
        failed = try #require(claimed.settled(success: false, now: at(12.2)))
        #expect(failed.inFlight == nil, "out of retries: the fire is given up, the job goes on")
        #expect(failed.nextFire == at(20))
        let dropping = try JobRecord.new(JobDefinition(name: "drop", schedule: "@every 10s", failurePolicy: .drop), now: start)
        (claimed, _) = try claim(dropping, at(10))
        #expect(try #require(claimed.settled(success: false, now: at(10))).inFlight == nil)
    }

    @Test func badJobsAreRefusedWithDaprsCodes() {
        func code(_ definition: JobDefinition) -> String? {
            do {
                _ = try JobRecord.new(definition, now: start)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code(JobDefinition(name: "x")) == "DAPR_SCHEDULER_SCHEDULE_EMPTY")
        #expect(code(JobDefinition(name: "x", schedule: "* * * * *")) == "DAPR_SCHEDULER_SCHEDULE_JOB", "five fields")
        #expect(code(JobDefinition(name: "x", dueTime: "tomorrow")) == "DAPR_SCHEDULER_SCHEDULE_JOB")
        #expect(code(JobDefinition(name: "x", schedule: "@every 1s", repeats: 0)) == "DAPR_SCHEDULER_SCHEDULE_JOB")
    }

    @Test func httpBodiesAreJSONOrTrimmedBytes() {
        let json = JobFire(name: "a", data: Data(#"{"n":1}"#.utf8), dataType: JobDefinition.jsonValueType, due: start, attempt: 1)
        #expect(json.httpBody == Array(#"{"n":1}"#.utf8))
        // A packed StringValue of 11 bytes: tag 0x0A and length 0x0B are both whitespace, so
        // Dapr's trim leaves the text (shorter strings keep their length byte, as in Dapr).
        let packed = JobFire(
            name: "a", data: Data([0x0A, 0x0B] + Array("hello world".utf8)), dataType: "type.googleapis.com/google.protobuf.StringValue",
            due: start, attempt: 1)
        #expect(packed.httpBody == Array("hello world".utf8))
    }
}
