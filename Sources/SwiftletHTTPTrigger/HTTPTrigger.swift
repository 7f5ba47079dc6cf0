import SwiftletCore
import CoreMetrics
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwiftletABI
import SwiftletManifest
import SwiftletTelemetry
import SwiftletWasmHost
import Tracing

/// The HTTP trigger: routes requests to components and turns guest replies and failures
/// into HTTP responses.
public struct HTTPTrigger: HTTPResponder {
    public typealias Context = SwiftletRequestContext
    /// A route served by Swift code in the host (health checks, benchmarks' baseline).
    public typealias NativeHandler = @Sendable (Request, Context) async throws -> Response

    /// Path of the health endpoint.
    public static let healthPath = "/.well-known/swiftlet/health"

    let routers: any RouterSource
    let nativeRoutes: [String: NativeHandler]
    let serverName: String
    let serverPort: Int
    let metrics: HTTPMetrics
    let logger: Logger

    public init(
        router: any RouterSource, serverName: String, serverPort: Int, nativeRoutes: [String: NativeHandler] = [:],
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        var native = nativeRoutes
        native[Self.healthPath] = native[Self.healthPath] ?? { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        self.routers = router
        self.nativeRoutes = native
        self.serverName = serverName
        self.serverPort = serverPort
        self.metrics = HTTPMetrics(factory: metrics)
        self.logger = logger
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        if let native = nativeRoutes[path] { return try await native(request, context) }
        let startedAt = MonotonicClock.now()
        let requestID = request.headers[FailureResponse.requestIDHeader] ?? RequestIDGenerator.next()
        // The version chosen now serves the whole request; a streamed body ends the lease
        // when it is written out, everything else when this returns.
        let lease = routers.lease()
        var streaming = false
        defer { if !streaming { lease.end() } }
        guard let (route, parameters) = lease.router.match(path) else {
            metrics.record(route: "", component: "", status: 404, startedAt: startedAt)
            return FailureResponse.plain(.notFound, "swiftlet: no route matches \(path)", requestID: requestID)
        }
        // A server span per request, child of the caller's `traceparent`; the guest sees this
        // span's context, so what it publishes or calls continues the trace. Streamed
        // responses count, and their span ends, when the head is ready. Without a tracer the
        // span and the header rewrite are skipped (the hot path stays as it was).
        let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let component = route.component
        let response: Response
        if Telemetry.tracingEnabled {
            response = try await withSpan(
                "\(request.method.rawValue) \(route.pattern.text)", context: TraceHeaders.context(from: headers), ofKind: .server
            ) { span in
                span.attributes["http.request.method"] = request.method.rawValue
                span.attributes["http.route"] = route.pattern.text
                span.attributes["url.path"] = path
                span.attributes["swiftlet.component"] = component.id
                span.attributes["swiftlet.request_id"] = requestID
                let response = try await serve(
                    request, headers: TraceHeaders.replacing(headers, with: span.context), route: route, parameters: parameters,
                    requestID: requestID, context: context, lease: lease, streaming: &streaming)
                span.attributes["http.response.status_code"] = Int(response.status.code)
                if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
                return response
            }
        } else {
            response = try await serve(
                request, headers: headers, route: route, parameters: parameters, requestID: requestID, context: context,
                lease: lease, streaming: &streaming)
        }
        metrics.record(route: route.pattern.text, component: component.id, status: response.status.code, startedAt: startedAt)
        return response
    }

    private func serve(
        _ request: Request, headers: HeaderList, route: HTTPRouter.Route,
        parameters: [(name: String, value: String)], requestID: String, context: Context, lease: RouterLease,
        streaming: inout Bool
    ) async throws -> Response {
        let path = request.uri.path
        let component = route.component
        let maxBody = component.limits.maxRequestBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBody {
            return tooLarge(maxBody, component: component, requestID: requestID)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBody)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return tooLarge(maxBody, component: component, requestID: requestID)
        }
        let guestRequest = GuestRequest(
            method: request.method.rawValue, path: path, query: request.uri.query ?? "",
            headers: headers, parameters: parameters, body: Array(buffer: body),
            origin: RequestOrigin(
                requestID: requestID, matchedRoute: route.pattern.text, routeBase: route.pattern.base,
                remoteAddress: context.remoteAddress?.ipAddress ?? "", serverName: serverName,
                serverPort: serverPort))
        do throws(GuestFailure) {
            switch try await component.handle(guestRequest) {
            case .complete(let response):
                return Response(
                    status: HTTPResponse.Status(code: response.status),
                    headers: Self.fields(response.headers, requestID: requestID),
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
            case .streaming(let status, let headers, let chunks):
                streaming = true
                return Response(
                    status: HTTPResponse.Status(code: status),
                    headers: Self.fields(headers, requestID: requestID),
                    body: ResponseBody { [logger] writer in
                        defer { lease.end() }
                        do {
                            for try await chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                        } catch {
                            // Headers are gone already: cutting the connection is the only
                            // way left to tell the client the body is incomplete.
                            logger.error(
                                "streamed response failed: \(error)",
                                metadata: ["request": .string(requestID), "component": .string(component.id)])
                            throw error
                        }
                        try await writer.finish(nil)
                    })
            }
        } catch {
            logger.error(
                "\(error.kind): \(error.message)",
                metadata: ["request": .string(requestID), "component": .string(component.id), "path": .string(path)])
            return FailureResponse.make(error, requestID: requestID)
        }
    }

    private func tooLarge(_ limit: Int, component: ComponentHost, requestID: String) -> Response {
        component.metrics.recordLimitHit("request-size")
        return FailureResponse.plain(
            .contentTooLarge, "swiftlet: request body exceeds the limit of \(limit) bytes", requestID: requestID)
    }

    /// Guest headers as HTTP fields. Framing and hop-by-hop headers are the server's
    /// business, so a guest cannot desynchronise the connection with them.
    static func fields(_ headers: HeaderList, requestID: String) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name), !hopByHop.contains(fieldName) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        if fields[FailureResponse.requestIDHeader] == nil { fields[FailureResponse.requestIDHeader] = requestID }
        return fields
    }

    static let hopByHop: Set<HTTPField.Name> = [.contentLength, .transferEncoding, .connection, .upgrade]
}
