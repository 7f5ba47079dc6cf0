import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwiftletHTTPTrigger

/// `swiftlet up --admin-listen`: the operator's port. `GET /metrics` is Prometheus text
/// (open, like every scrape target); `/v1/...` lists and changes the app's versions and
/// needs `Authorization: Bearer $SWIFTLET_ADMIN_TOKEN`.
public struct AdminOptions: Sendable {
    public var listen: ListenAddress
    /// Without a token the `/v1` endpoints refuse every call.
    public var token: String?

    public init(listen: ListenAddress, token: String?) {
        self.listen = listen
        self.token = token
    }
}

struct AdminAPI: Sendable {
    let deployments: AppDeployments
    let token: String?
    let metrics: @Sendable () -> String

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics())))
        }
        router.get("/healthz") { _, _ in Response(status: .noContent) }
        let v1 = router.group("v1").add(middleware: AdminTokenMiddleware(token: token))
        v1.get("app") { _, _ in Self.json(describe()) }
        v1.post("deploy") { request, _ in
            try await change {
                let body = try await Self.body(request)
                guard let source = body["source"] as? String, !source.isEmpty else {
                    throw DeploymentError("the body needs {\"source\": \"<dir, manifest or oci://ref>\"}")
                }
                if let weight = body["canary"] as? Int {
                    _ = try await deployments.canary(source, weight: weight)
                } else {
                    _ = try await deployments.deploy(source)
                }
            }
        }
        v1.post("promote") { _, _ in try await change { _ = try await deployments.promote() } }
        v1.post("rollback") { _, _ in try await change { _ = try await deployments.rollback() } }
        v1.put("canary/weight") { request, _ in
            try await change {
                guard let weight = try await Self.body(request)["weight"] as? Int else {
                    throw DeploymentError("the body needs {\"weight\": 0-100}")
                }
                try deployments.setCanaryWeight(weight)
            }
        }
        return router
    }

    /// Runs a change and answers with the new state, or 400 with what went wrong (the
    /// running versions are untouched by a failed deployment).
    func change(_ body: () async throws -> Void) async throws -> Response {
        do {
            try await body()
            return Self.json(describe())
        } catch {
            return Self.json(["error": "\(error)"], status: .badRequest)
        }
    }

    func describe() -> [String: Any] {
        let snapshot = deployments.snapshot
        func entry(_ version: AppDeployments.Version, role: String, weight: Int) -> [String: Any] {
            [
                "number": version.number, "role": role, "weight": weight, "source": version.source,
                "name": version.app.manifest.name, "version": version.app.manifest.version,
                "components": version.app.manifest.components.map(\.id).sorted(),
                "requestsInFlight": snapshot.requestsInFlight[version.number] ?? 0,
                "deployedAt": ISO8601DateFormatter().string(from: version.deployedAt),
            ]
        }
        var versions = [entry(snapshot.stable, role: "stable", weight: 100 - (snapshot.canary == nil ? 0 : snapshot.canaryWeight))]
        if let canary = snapshot.canary { versions.append(entry(canary, role: "canary", weight: snapshot.canaryWeight)) }
        versions += snapshot.draining.map { entry($0, role: "draining", weight: 0) }
        return [
            "app": snapshot.stable.app.manifest.name, "versions": versions, "history": snapshot.history,
            "daprComponents": snapshot.stable.app.registry.entries.keys.sorted(),
        ]
    }

    static func body(_ request: Request) async throws -> [String: Any] {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw DeploymentError("the body must be a JSON object")
        }
        return object
    }

    static func json(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `Authorization: Bearer <SWIFTLET_ADMIN_TOKEN>` on every `/v1` call.
struct AdminTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else {
            return AdminAPI.json(["error": "the admin API is disabled: start swiftlet with SWIFTLET_ADMIN_TOKEN set"], status: .forbidden)
        }
        guard request.headers[.authorization] == "Bearer \(token)" else {
            return AdminAPI.json(["error": "missing or wrong admin token (Authorization: Bearer ...)"], status: .unauthorized)
        }
        return try await next(request, context)
    }
}

/// The admin HTTP server.
struct AdminServerService: Service {
    let api: AdminAPI
    let options: AdminOptions
    let connections: ConnectionLimits
    let logger: Logger

    func run() async throws {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            router: api.router(), server: connections.server,
            configuration: ApplicationConfiguration(
                address: .hostname(options.listen.host, port: options.listen.port), serverName: "swiftlet-admin"),
            onServerRunning: { [logger, options] channel in
                let port = channel.localAddress?.port ?? options.listen.port
                logger.info("admin API on http://\(options.listen.host):\(port)")
            },
            logger: quiet)
        try await application.runService(gracefulShutdownSignals: [])
    }
}

/// Runs the stable version's event triggers and moves them across deployments.
struct DeploymentTriggersService: Service {
    let deployments: AppDeployments

    func run() async throws {
        await deployments.runTriggers()
    }
}
