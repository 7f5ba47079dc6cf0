import SwiftletBlocks
import SwiftletJobs

/// The Jobs API (`/v1.0/jobs/{name}`, `ScheduleJob`/`GetJob`/`DeleteJob`), shared by HTTP and
/// gRPC. Error codes are Dapr's scheduler codes; where Dapr answers a caller's mistake with
/// 500 (a bad schedule, a job that does not exist) Swiftlet answers 400 and 404.
extension DaprAPI {
    func scheduler() throws(DaprError) -> JobScheduler {
        guard let jobs else {
            throw DaprError(
                500, .failedPrecondition, "DAPR_SCHEDULER_NOT_CONFIGURED",
                "jobs are kept in a state store and this app has none: add a state component")
        }
        return jobs
    }

    public func scheduleJob(_ definition: JobDefinition) async throws(DaprError) {
        let jobs = try scheduler()
        do {
            try await jobs.schedule(definition)
        } catch {
            throw Self.jobError(error, "DAPR_SCHEDULER_SCHEDULE_JOB")
        }
    }

    public func getJob(_ name: String) async throws(DaprError) -> JobDefinition {
        let jobs = try scheduler()
        let definition: JobDefinition?
        do {
            definition = try await jobs.get(name)
        } catch {
            throw Self.jobError(error, "DAPR_SCHEDULER_GET_JOB")
        }
        guard let definition else { throw DaprError(404, .notFound, "DAPR_SCHEDULER_GET_JOB", "job not found: \(name)") }
        return definition
    }

    /// Deleting a job that does not exist succeeds, as in Dapr.
    public func deleteJob(_ name: String) async throws(DaprError) {
        let jobs = try scheduler()
        do {
            try await jobs.delete(name)
        } catch {
            throw Self.jobError(error, "DAPR_SCHEDULER_DELETE_JOB")
        }
    }

    static func jobError(_ error: BuildingBlockError, _ operation: String) -> DaprError {
        let code = error.code ?? operation
        return switch error.kind {
        case .invalidArgument, .tooLarge: DaprError(400, .invalidArgument, code, error.message)
        case .conflict: DaprError(409, .alreadyExists, code, error.message)
        default: DaprError(500, .internalError, code, error.message)
        }
    }
}
