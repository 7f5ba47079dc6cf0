import Foundation
import GRPCCore
import SwiftProtobuf
import SwiftletDaprProto
import SwiftletJobs

typealias JobMessage = Dapr_Proto_Runtime_V1_Job

/// `ScheduleJob`, `GetJob`, `DeleteJob` and their Alpha1 names (the Python SDK tries the
/// stable name first).
extension DaprGRPCService {
    public func scheduleJob(request: Dapr_Proto_Runtime_V1_ScheduleJobRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_ScheduleJobResponse
    {
        try await run {
            guard request.hasJob else { throw DaprError(400, .invalidArgument, "DAPR_SCHEDULER_EMPTY", "Job is empty") }
            try await api.scheduleJob(try JobMessages.definition(request.job, overwrite: request.overwrite))
            return Dapr_Proto_Runtime_V1_ScheduleJobResponse()
        }
    }

    public func scheduleJobAlpha1(request: Dapr_Proto_Runtime_V1_ScheduleJobRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_ScheduleJobResponse
    {
        try await scheduleJob(request: request, context: context)
    }

    public func getJob(request: Dapr_Proto_Runtime_V1_GetJobRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_GetJobResponse
    {
        try await run {
            var reply = Dapr_Proto_Runtime_V1_GetJobResponse()
            reply.job = JobMessages.message(try await api.getJob(request.name))
            return reply
        }
    }

    public func getJobAlpha1(request: Dapr_Proto_Runtime_V1_GetJobRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_GetJobResponse
    {
        try await getJob(request: request, context: context)
    }

    public func deleteJob(request: Dapr_Proto_Runtime_V1_DeleteJobRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_DeleteJobResponse
    {
        try await run {
            try await api.deleteJob(request.name)
            return Dapr_Proto_Runtime_V1_DeleteJobResponse()
        }
    }

    public func deleteJobAlpha1(request: Dapr_Proto_Runtime_V1_DeleteJobRequest, context: ServerContext) async throws
        -> Dapr_Proto_Runtime_V1_DeleteJobResponse
    {
        try await deleteJob(request: request, context: context)
    }
}

/// Jobs between their protobuf form and ``JobDefinition``.
enum JobMessages {
    static func definition(_ job: JobMessage, overwrite: Bool) throws(DaprError) -> JobDefinition {
        var data = Data()
        var dataType = ""
        if job.hasData {
            dataType = job.data.typeURL
            data = job.data.value
            // A packed google.protobuf.Value is kept as JSON, like data scheduled over HTTP.
            if dataType == JobDefinition.jsonValueType {
                do {
                    let value = try Google_Protobuf_Value(serializedBytes: job.data.value)
                    data = Data(try value.jsonString().utf8)
                } catch {
                    throw DaprError.malformed("job data is not a valid google.protobuf.Value: \(error)")
                }
            }
        }
        return JobDefinition(
            name: job.name, schedule: job.hasSchedule ? job.schedule : nil, dueTime: job.hasDueTime ? job.dueTime : nil,
            repeats: job.hasRepeats ? Int(job.repeats) : nil, ttl: job.hasTtl ? job.ttl : nil, data: data, dataType: dataType,
            failurePolicy: job.hasFailurePolicy ? policy(job.failurePolicy) : .default, overwrite: overwrite)
    }

    static func policy(_ message: Dapr_Proto_Common_V1_JobFailurePolicy) -> JobFailurePolicy {
        switch message.policy {
        case .drop: .drop
        case .constant(let constant):
            .constant(
                interval: Double(constant.interval.seconds) + Double(constant.interval.nanos) / 1e9,
                maxRetries: constant.hasMaxRetries ? Int(constant.maxRetries) : nil)
        case nil: .default
        }
    }

    static func message(_ definition: JobDefinition) -> JobMessage {
        var job = JobMessage()
        job.name = definition.name
        if let schedule = definition.schedule { job.schedule = schedule }
        if let dueTime = definition.dueTime { job.dueTime = dueTime }
        if let repeats = definition.repeats { job.repeats = UInt32(clamping: repeats) }
        if let ttl = definition.ttl { job.ttl = ttl }
        if !definition.data.isEmpty || !definition.dataType.isEmpty {
            job.data.typeURL = definition.dataType
            job.data.value = definition.data
            if definition.dataType == JobDefinition.jsonValueType,
                let value = try? Google_Protobuf_Value(jsonUTF8Bytes: definition.data),
                let bytes: Data = try? value.serializedBytes()
            {
                job.data.value = bytes
            }
        }
        switch definition.failurePolicy {
        case .drop:
            job.failurePolicy.drop = Dapr_Proto_Common_V1_JobFailurePolicyDrop()
        case .constant(let interval, let maxRetries):
            var constant = Dapr_Proto_Common_V1_JobFailurePolicyConstant()
            constant.interval.seconds = Int64(interval)
            constant.interval.nanos = Int32((interval - interval.rounded(.down)) * 1e9)
            if let maxRetries { constant.maxRetries = UInt32(clamping: maxRetries) }
            job.failurePolicy.constant = constant
        }
        return job
    }
}
