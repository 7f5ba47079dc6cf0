import Foundation
import GRPCCore
import Hummingbird
import Logging

/// `--enable-api-logging`: one info line per Dapr API call, as daprd writes them: the
/// method and path (or RPC), the status and how long the call took.
public struct APILoggingMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, status: response.status.code, since: start)
            return response
        } catch let error as any HTTPResponseError {
            log(request, status: error.status.code, since: start)
            throw error
        }
    }

    func log(_ request: Request, status: Int, since start: ContinuousClock.Instant) {
        logger.info("HTTP API called", metadata: [
            "method": "\(request.method.rawValue) \(request.uri.path)", "code": "\(status)",
            "duration": "\(APILogging.milliseconds(since: start))ms",
        ])
    }
}

/// The gRPC side of `--enable-api-logging`.
public struct APILoggingInterceptor: ServerInterceptor {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let start = ContinuousClock.now
        let method = "/\(context.descriptor.service.fullyQualifiedService)/\(context.descriptor.method)"
        do {
            let response = try await next(request, context)
            let code = (try? response.accepted.get()) == nil ? "error" : "OK"
            logger.info("gRPC API called", metadata: [
                "method": "\(method)", "code": "\(code)", "duration": "\(APILogging.milliseconds(since: start))ms",
            ])
            return response
        } catch {
            let code = (error as? RPCError).map { "\($0.code)" } ?? "unknown"
            logger.info("gRPC API called", metadata: [
                "method": "\(method)", "code": "\(code)", "duration": "\(APILogging.milliseconds(since: start))ms",
            ])
            throw error
        }
    }
}

enum APILogging {
    static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        return String(format: "%.3f", Double(micros) / 1000)
    }
}
