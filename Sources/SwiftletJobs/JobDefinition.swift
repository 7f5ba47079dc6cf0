import Foundation
import SwiftletBlocks

/// A job as the Jobs API schedules it (`POST /v1.0/jobs/{name}`, `ScheduleJob`).
public struct JobDefinition: Codable, Sendable, Equatable {
    public var name: String
    /// Cron with seconds (`*/5 * * * * *`), a descriptor (`@daily`) or `@every 1s`.
    public var schedule: String?
    /// First fire: RFC 3339 or a duration from now. Without a schedule, the only fire.
    public var dueTime: String?
    /// How many times the job fires at most (nil: until the TTL or deletion).
    public var repeats: Int?
    /// When the job is deleted: RFC 3339 or a duration from now.
    public var ttl: String?
    /// The payload delivered with each fire.
    public var data: Data
    /// What `data` is: the protobuf `Any` type URL it came with. JSON (everything scheduled
    /// over HTTP, and `google.protobuf.Value` over gRPC) is kept as JSON text under
    /// ``jsonValueType``; other types keep their serialized bytes.
    public var dataType: String
    public var failurePolicy: JobFailurePolicy
    /// Replace a job of the same name (otherwise scheduling it again is a conflict).
    public var overwrite: Bool

    public static let jsonValueType = "type.googleapis.com/google.protobuf.Value"

    public init(
        name: String, schedule: String? = nil, dueTime: String? = nil, repeats: Int? = nil, ttl: String? = nil, data: Data = Data(),
        dataType: String = "", failurePolicy: JobFailurePolicy = .default, overwrite: Bool = false
    ) {
        self.name = name
        self.schedule = schedule
        self.dueTime = dueTime
        self.repeats = repeats
        self.ttl = ttl
        self.data = data
        self.dataType = dataType
        self.failurePolicy = failurePolicy
        self.overwrite = overwrite
    }
}

/// What happens when the app does not take a fire.
public enum JobFailurePolicy: Codable, Sendable, Equatable {
    /// Give the fire up.
    case drop
    /// Try again every `interval` seconds, at most `maxRetries` times (nil: until it works).
    case constant(interval: Double, maxRetries: Int?)

    /// Dapr's default: three more tries a second apart.
    public static let `default` = JobFailurePolicy.constant(interval: 1, maxRetries: 3)
}

/// One fire of a job, as delivered to the app.
public struct JobFire: Sendable, Equatable {
    public var name: String
    public var data: Data
    public var dataType: String
    /// When the fire was due, and which try this is (1 = first).
    public var due: Date
    public var attempt: Int

    /// The body an HTTP app gets at `POST /job/{name}`, as Dapr sends it: JSON data as JSON;
    /// any other type's bytes with surrounding whitespace trimmed (so a packed short string
    /// arrives as its text).
    public var httpBody: [UInt8] {
        let bytes = Array(data)
        if dataType == JobDefinition.jsonValueType { return bytes }
        let isSpace: (UInt8) -> Bool = { [9, 10, 11, 12, 13, 32].contains($0) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return Array(bytes[first...last])
    }
}
