import Foundation
import SwiftletBlocks
import SwiftletResources

/// The time formats the Jobs API takes for `dueTime` and `ttl`: an RFC 3339 timestamp, a Go
/// duration (`10s`, `1h30m`) or an ISO 8601 duration (`PT10S`, `P1DT2H`), the latter two
/// counted from when the job is scheduled.
enum JobTimes {
    static func instant(_ text: String, field: String, from now: Date) throws(BuildingBlockError) -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = ResourceSettings.duration(trimmed) ?? iso8601Duration(trimmed) {
            return now.addingTimeInterval(seconds)
        }
        if let date = rfc3339(trimmed) { return date }
        throw BuildingBlockError(
            .invalidArgument, "\(field) '\(text)' is not an RFC 3339 time, a duration such as 10s or 1h30m, or an ISO 8601 duration",
            code: "DAPR_SCHEDULER_SCHEDULE_JOB")
    }

    static func rfc3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `P[nD]T[nH][nM][nS]` (weeks and days included; years and months have no fixed length).
    static func iso8601Duration(_ text: String) -> Double? {
        guard text.hasPrefix("P"), text.count > 1 else { return nil }
        var total = 0.0
        var inTime = false
        var digits = ""
        for character in text.dropFirst() {
            if character == "T" {
                guard digits.isEmpty else { return nil }
                inTime = true
            } else if character.isNumber || character == "." {
                digits.append(character)
            } else {
                guard let value = Double(digits) else { return nil }
                digits = ""
                switch (character, inTime) {
                case ("W", false): total += value * 604_800
                case ("D", false): total += value * 86_400
                case ("H", true): total += value * 3600
                case ("M", true): total += value * 60
                case ("S", true): total += value
                default: return nil
                }
            }
        }
        return digits.isEmpty ? total : nil
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
