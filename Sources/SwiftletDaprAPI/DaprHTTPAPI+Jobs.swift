import Foundation
import Hummingbird
import SwiftletJobs

/// `POST|GET|DELETE /v1.0/jobs/{name}` (and the `v1.0-alpha1` paths).
extension DaprHTTPAPI {
    func addJobRoutes(to router: Router<Context>) {
        for version in ["v1.0", "v1.0-alpha1"] {
            router.post("/\(version)/jobs/:name", use: scheduleJob)
            router.get("/\(version)/jobs/:name", use: getJob)
            router.delete("/\(version)/jobs/:name", use: deleteJob)
        }
    }

    @Sendable func scheduleJob(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let name = try context.parameters.require("name").trimmingCharacters(in: .whitespaces)
            try await api.scheduleJob(try DaprHTTPRequests.job(name: name, try await Self.body(request)))
            return Response(status: .noContent)
        }
    }

    @Sendable func getJob(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let job = try await api.getJob(try context.parameters.require("name"))
            return Self.json(DaprHTTPRequests.jobJSON(job))
        }
    }

    @Sendable func deleteJob(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            try await api.deleteJob(try context.parameters.require("name"))
            return Response(status: .noContent)
        }
    }
}

extension DaprHTTPRequests {
    /// `{schedule, dueTime, repeats, ttl, data, failurePolicy, overwrite}`, with the proto
    /// field names accepted too, as Dapr's decoder does. `data` is any JSON value.
    package static func job(name: String, _ bytes: [UInt8]) throws(DaprError) -> JobDefinition {
        let body: [String: Any]
        if bytes.isEmpty {
            body = [:]
        } else {
            guard let object = try json(bytes) as? [String: Any] else {
                throw DaprError.malformed("failed deserializing HTTP body: the body must be a JSON object")
            }
            body = object
        }
        func field(_ names: String...) -> Any? { names.lazy.compactMap { body[$0] }.first }
        func string(_ names: String...) throws(DaprError) -> String? {
            guard let value = names.lazy.compactMap({ body[$0] }).first else { return nil }
            guard let text = value as? String else { throw DaprError.malformed("failed deserializing HTTP body: \(names[0]) must be a string") }
            return text
        }
        guard body["name"] == nil else {
            throw DaprError(400, .invalidArgument, "DAPR_SCHEDULER_JOB_NAME", "Set the job name in the url only")
        }
        var repeats: Int?
        if let value = field("repeats") {
            guard let number = value as? NSNumber, number.doubleValue >= 0, number.doubleValue <= Double(UInt32.max),
                number.doubleValue == number.doubleValue.rounded()
            else {
                throw DaprError.malformed("failed deserializing HTTP body: repeats must be a non-negative integer")
            }
            repeats = number.intValue
        }
        var data = Data()
        var dataType = ""
        if let value = field("data") {
            data = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])) ?? Data()
            dataType = JobDefinition.jsonValueType
        }
        let overwrite = field("overwrite") as? Bool ?? false
        return JobDefinition(
            name: name, schedule: try string("schedule"), dueTime: try string("dueTime", "due_time"), repeats: repeats,
            ttl: try string("ttl"), data: data, dataType: dataType,
            failurePolicy: try failurePolicy(field("failurePolicy", "failure_policy")), overwrite: overwrite)
    }

    static func failurePolicy(_ value: Any?) throws(DaprError) -> JobFailurePolicy {
        guard let value else { return .default }
        guard let object = value as? [String: Any] else { throw DaprError.malformed("failurePolicy must be {drop: {}} or {constant: {...}}") }
        if object["drop"] != nil { return .drop }
        guard let constant = object["constant"] as? [String: Any] else {
            throw DaprError.malformed("failurePolicy must be {drop: {}} or {constant: {interval, maxRetries}}")
        }
        var interval = 1.0
        if let text = constant["interval"] {
            // A protobuf Duration in JSON: "1.5s".
            guard let string = text as? String, string.hasSuffix("s"), let seconds = Double(string.dropLast()), seconds >= 0 else {
                throw DaprError.malformed("failurePolicy.constant.interval must be a duration such as \"3s\"")
            }
            interval = seconds
        }
        var maxRetries: Int?
        if let value = constant["maxRetries"] ?? constant["max_retries"] {
            guard let number = value as? Int, number >= 0 else { throw DaprError.malformed("maxRetries must be a non-negative integer") }
            maxRetries = number
        }
        return .constant(interval: interval, maxRetries: maxRetries)
    }

    /// A job as Dapr prints it: data as a JSON `Any` (`{"@type": ..., "value": ...}`).
    package static func jobJSON(_ job: JobDefinition) -> [String: Any] {
        var body: [String: Any] = ["name": job.name]
        if let schedule = job.schedule { body["schedule"] = schedule }
        if let dueTime = job.dueTime { body["dueTime"] = dueTime }
        if let repeats = job.repeats { body["repeats"] = repeats }
        if let ttl = job.ttl { body["ttl"] = ttl }
        if !job.dataType.isEmpty || !job.data.isEmpty {
            if job.dataType == JobDefinition.jsonValueType,
                let value = try? JSONSerialization.jsonObject(with: job.data, options: [.fragmentsAllowed])
            {
                body["data"] = ["@type": job.dataType, "value": value]
            } else {
                body["data"] = ["@type": job.dataType, "value": job.data.base64EncodedString()]
            }
        }
        switch job.failurePolicy {
        case .drop: body["failurePolicy"] = ["drop": [String: Any]()]
        case .constant(let interval, let maxRetries):
            let seconds = interval == interval.rounded() && interval < 1e15 ? String(Int64(interval)) : String(interval)
            var constant: [String: Any] = ["interval": "\(seconds)s"]
            if let maxRetries { constant["maxRetries"] = maxRetries }
            body["failurePolicy"] = ["constant": constant]
        }
        return body
    }
}
