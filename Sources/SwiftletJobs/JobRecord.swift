import Foundation
import SwiftletBlocks
import SwiftletResources

/// A job's stored state and its transitions, apart from any I/O so they can be tested
/// against a manual clock. Replicas share records through a state store and change them
/// only by compare-and-swap on the ETag: whoever swaps a fire in owns it, so one replica
/// fires each period; a fire whose owner dies is taken over when its lease lapses, so every
/// fire happens at least once.
struct JobRecord: Codable, Sendable, Equatable {
    /// A fire claimed by some replica: `until` is when its lease lapses (or, after a
    /// failure, when the retry is due).
    struct InFlight: Codable, Sendable, Equatable {
        var due: Date
        var until: Date
        var attempt: Int
    }

    var definition: JobDefinition
    var created: Date
    var expires: Date?
    /// The next period's fire; nil when the job has no more.
    var nextFire: Date?
    /// Fires claimed so far (what `repeats` counts).
    var fired: Int
    var inFlight: InFlight?

    /// What a scheduler does with the record now.
    enum Step: Equatable {
        /// Nothing until then (nil: never, unless the record changes).
        case wait(until: Date?)
        /// Store `record` (compare-and-swap) and, if that wins, deliver `fire`.
        case fire(record: JobRecord, fire: JobFire)
        /// The job is finished or expired: delete it.
        case remove
    }

    /// A new job, its first fire computed from `now`. Invalid schedules and times are the
    /// caller's error (`ERR_MALFORMED_REQUEST`).
    static func new(_ definition: JobDefinition, now: Date) throws(BuildingBlockError) -> JobRecord {
        guard definition.schedule != nil || definition.dueTime != nil else {
            throw BuildingBlockError(.invalidArgument, "a job needs a schedule or a dueTime", code: "DAPR_SCHEDULER_SCHEDULE_EMPTY")
        }
        if let repeats = definition.repeats, repeats < 1 {
            throw BuildingBlockError(.invalidArgument, "repeats must be at least 1", code: "DAPR_SCHEDULER_SCHEDULE_JOB")
        }
        let schedule = try definition.schedule.map { text throws(BuildingBlockError) in try Self.cron(text) }
        let first: Date?
        if let dueTime = definition.dueTime {
            first = try JobTimes.instant(dueTime, field: "dueTime", from: now)
        } else {
            first = schedule?.next(after: now, calendar: Self.utc)
        }
        let expires = try definition.ttl.map { text throws(BuildingBlockError) in try JobTimes.instant(text, field: "ttl", from: now) }
        return JobRecord(definition: definition, created: now, expires: expires, nextFire: first, fired: 0, inFlight: nil)
    }

    func step(now: Date, lease: TimeInterval) -> Step {
        if let inFlight {
            guard inFlight.until <= now else { return .wait(until: inFlight.until) }
            // Its owner died, or a retry is due: take it over.
            var next = self
            next.inFlight = InFlight(due: inFlight.due, until: now.addingTimeInterval(lease), attempt: inFlight.attempt + 1)
            return .fire(record: next, fire: fire(due: inFlight.due, attempt: inFlight.attempt + 1))
        }
        if let expires, expires <= now { return .remove }
        guard let due = nextFire else { return .remove }
        guard due <= now else { return .wait(until: expires.map { min($0, due) } ?? due) }
        var next = self
        next.fired += 1
        next.nextFire = next.period(after: due, now: now)
        next.inFlight = InFlight(due: due, until: now.addingTimeInterval(lease), attempt: 1)
        return .fire(record: next, fire: fire(due: due, attempt: 1))
    }

    /// The record after the claimed fire was delivered (or not); nil when the job is done.
    func settled(success: Bool, now: Date) -> JobRecord? {
        guard let inFlight else { return self }
        var next = self
        next.inFlight = nil
        if !success, case .constant(let interval, let maxRetries) = definition.failurePolicy,
            maxRetries.map({ inFlight.attempt <= $0 }) ?? true
        {
            next.inFlight = InFlight(due: inFlight.due, until: now.addingTimeInterval(interval), attempt: inFlight.attempt)
            return next
        }
        if next.nextFire == nil { return nil }
        if let expires, expires <= now { return nil }
        return next
    }

    /// The period after `due`; periods missed while no replica ran are skipped, not replayed.
    func period(after due: Date, now: Date) -> Date? {
        if let repeats = definition.repeats, fired >= repeats { return nil }
        guard let text = definition.schedule, let schedule = try? Self.cron(text) else { return nil }
        guard let next = schedule.next(after: due, calendar: Self.utc) else { return nil }
        return next > now ? next : schedule.next(after: now, calendar: Self.utc)
    }

    func fire(due: Date, attempt: Int) -> JobFire {
        JobFire(name: definition.name, data: definition.data, dataType: definition.dataType, due: due, attempt: attempt)
    }

    static func cron(_ text: String) throws(BuildingBlockError) -> CronSchedule {
        do {
            return try CronSchedule(text)
        } catch {
            throw BuildingBlockError(.invalidArgument, "schedule: \(error.message)", code: "DAPR_SCHEDULER_SCHEDULE_JOB")
        }
    }

    /// Cron fields are read in UTC, as Dapr's scheduler does, whatever the host's zone.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
