import Foundation
import SwiftletBlocks
import SwiftletManifest

/// A cron schedule as Dapr's `bindings.cron` reads it: six fields with seconds
/// (`*/5 * * * * *`), descriptors (`@daily`, `@hourly`, ...) or `@every 15s`.
public struct CronSchedule: Sendable, Equatable {
    enum Kind: Equatable {
        case every(seconds: Double)
        case fields(second: Set<Int>, minute: Set<Int>, hour: Set<Int>, day: Set<Int>, month: Set<Int>, weekday: Set<Int>,
                    dayIsWildcard: Bool, weekdayIsWildcard: Bool)
    }

    let kind: Kind
    public let text: String

    public init(_ text: String) throws(BuildingBlockError) {
        self.text = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("@every ") {
            let duration = String(trimmed.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            guard let seconds = ResourceSettings.duration(duration), seconds > 0 else {
                throw BuildingBlockError(.invalidArgument, "'\(duration)' is not a duration such as 15s or 1m30s")
            }
            kind = .every(seconds: seconds)
            return
        }
        let descriptors = [
            "@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
            "@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *", "@hourly": "0 0 * * * *",
        ]
        let expression = descriptors[trimmed] ?? trimmed
        let fields = expression.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 6 else {
            throw BuildingBlockError(
                .invalidArgument, "'\(text)' needs six fields (second minute hour day month weekday), @every or a descriptor")
        }
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        kind = .fields(
            second: try Self.field(fields[0], 0...59, "second"),
            minute: try Self.field(fields[1], 0...59, "minute"),
            hour: try Self.field(fields[2], 0...23, "hour"),
            day: try Self.field(fields[3], 1...31, "day of month"),
            month: try Self.field(fields[4], 1...12, "month", names: months, nameBase: 1),
            weekday: try Self.field(fields[5], 0...7, "day of week", names: weekdays, nameBase: 0).reduce(into: Set<Int>()) {
                $0.insert($1 % 7)
            },
            dayIsWildcard: fields[3] == "*" || fields[3] == "?",
            weekdayIsWildcard: fields[5] == "*" || fields[5] == "?")
    }

    static func field(
        _ text: String, _ range: ClosedRange<Int>, _ name: String, names: [String] = [], nameBase: Int = 0
    ) throws(BuildingBlockError) -> Set<Int> {
        var values = Set<Int>()
        func number(_ token: Substring) throws(BuildingBlockError) -> Int {
            if let value = Int(token), range.contains(value) { return value }
            if let index = names.firstIndex(of: token.uppercased()) { return index + nameBase }
            throw BuildingBlockError(.invalidArgument, "'\(token)' is not a valid \(name) (\(range.lowerBound)-\(range.upperBound))")
        }
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "/", maxSplits: 1)
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else {
                    throw BuildingBlockError(.invalidArgument, "'\(pieces[1])' is not a valid step for \(name)")
                }
                step = value
            }
            let base = pieces[0]
            var lower = range.lowerBound
            var upper = range.upperBound
            if base != "*" && base != "?" {
                let bounds = base.split(separator: "-", maxSplits: 1)
                lower = try number(bounds[0])
                upper = bounds.count == 2 ? try number(bounds[1]) : (pieces.count == 2 ? range.upperBound : lower)
                guard lower <= upper else { throw BuildingBlockError(.invalidArgument, "'\(base)' is an empty \(name) range") }
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    /// The first firing time strictly after `date` (local time zone, whole seconds).
    public func next(after date: Date, calendar: Calendar = .current) -> Date? {
        switch kind {
        case .every(let seconds):
            return date.addingTimeInterval(seconds)
        case .fields(let second, let minute, let hour, let day, let month, let weekday, let dayWildcard, let weekdayWildcard):
            var candidate = calendar.date(bySetting: .nanosecond, value: 0, of: date.addingTimeInterval(1)) ?? date
            candidate = Date(timeIntervalSince1970: candidate.timeIntervalSince1970.rounded(.down))
            // Cron's rule: with both day fields restricted, either may match.
            func dayMatches(_ components: DateComponents) -> Bool {
                let dayOK = day.contains(components.day!)
                let weekdayOK = weekday.contains(components.weekday! - 1)
                if dayWildcard { return weekdayOK }
                if weekdayWildcard { return dayOK }
                return dayOK || weekdayOK
            }
            let limit = date.addingTimeInterval(5 * 366 * 86_400)
            while candidate < limit {
                let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: candidate)
                if !month.contains(c.month!) {
                    candidate = calendar.date(from: DateComponents(year: c.year, month: c.month! + 1, day: 1))!
                } else if !dayMatches(c) {
                    candidate = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day! + 1))!
                } else if !hour.contains(c.hour!) {
                    candidate = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: c.hour! + 1))!
                } else if !minute.contains(c.minute!) {
                    candidate = calendar.date(
                        from: DateComponents(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute! + 1))!
                } else if !second.contains(c.second!) {
                    candidate = candidate.addingTimeInterval(1)
                } else {
                    return candidate
                }
            }
            return nil
        }
    }
}

/// `bindings.cron`: fires on `schedule`; each firing is delivered to the app.
public struct CronBinding: InputBinding {
    public let schedule: CronSchedule

    public init(schedule: CronSchedule) {
        self.schedule = schedule
    }

    public func run(deliver: @escaping @Sendable ([UInt8]) async -> Bool) async {
        var last = Date()
        while !Task.isCancelled {
            guard let next = schedule.next(after: last) else { return }
            let delay = next.timeIntervalSinceNow
            if delay > 0 {
                do { try await Task.sleep(for: .seconds(delay)) } catch { return }
            }
            last = next
            _ = await deliver(Array("{}".utf8))
        }
    }
}

/// Factory for `bindings.cron`.
public struct CronResourceFactory: ResourceFactory {
    public init() {}
    public var types: [String] { ["bindings.cron"] }

    public func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource {
        let text = try settings.require("schedule")
        do {
            return .inputBinding(CronBinding(schedule: try CronSchedule(text)))
        } catch {
            throw settings.spec.error(field: "schedule", error.message)
        }
    }
}
