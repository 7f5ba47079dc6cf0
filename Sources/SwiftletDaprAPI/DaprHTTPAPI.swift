import SwiftletCore
import Foundation
import HTTPTypes
import Logging
import Hummingbird
import NIOCore
import SwiftletABI
import SwiftletBlocks
import SwiftletResources

/// Dapr's HTTP API v1.0 on its own port, for ordinary apps and Dapr SDKs.
public struct DaprHTTPAPI: Sendable {
    public typealias Context = BasicRequestContext
    let api: DaprAPI
    let token: String?
    /// Set once components are loaded; `healthz/outbound` answers 204 from then on.
    let ready: @Sendable () -> Bool

    public init(api: DaprAPI, token: String?, ready: @escaping @Sendable () -> Bool = { true }) {
        self.api = api
        self.token = token
        self.ready = ready
    }

    /// The API's routes; with `apiLogger`, every call is logged (before the token check, so
    /// refused calls are too).
    public func router(apiLogger: Logger? = nil) -> Router<Context> {
        let router = Router(context: Context.self)
        if let apiLogger { router.add(middleware: APILoggingMiddleware<Context>(logger: apiLogger)) }
        router.add(middleware: TokenMiddleware(token: token))
        router.get("/v1.0/healthz") { _, _ in Response(status: .noContent) }
        router.get("/v1.0/healthz/outbound") { _, _ in
            ready() ? Response(status: .noContent)
                : Self.error(DaprError(500, .unavailable, "ERR_HEALTH_NOT_READY", "dapr is not ready"))
        }
        router.get("/v1.0/state/:store/:key", use: getState)
        router.post("/v1.0/state/:store", use: saveState)
        router.delete("/v1.0/state/:store/:key", use: deleteState)
        router.post("/v1.0/state/:store/bulk", use: bulkGet)
        router.post("/v1.0/state/:store/transaction", use: transaction)
        router.post("/v1.0/publish/:pubsub/**", use: publish)
        router.post("/v1.0/bindings/:name", use: binding)
        router.put("/v1.0/bindings/:name", use: binding)
        router.get("/v1.0/secrets/:store/bulk", use: bulkSecrets)
        router.get("/v1.0/secrets/:store/:name", use: secret)
        router.get("/v1.0/configuration/:store", use: configuration)
        router.get("/v1.0-alpha1/configuration/:store", use: configuration)
        router.get("/v1.0/metadata", use: metadata)
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch, .head, .options] {
            router.on("/v1.0/invoke/:app/method/**", method: method, use: invoke)
        }
        addConversationRoutes(to: router)
        addJobRoutes(to: router)
        return router
    }

    // MARK: Handlers

    @Sendable func getState(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let store = try context.parameters.require("store")
            let key = try context.parameters.require("key")
            guard let item = try await api.getState(store: store, key: key) else { return Response(status: .noContent) }
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[.eTag] = item.etag
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: item.value)))
        }
    }

    @Sendable func saveState(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let store = try context.parameters.require("store")
            try await api.saveState(store: store, try DaprHTTPRequests.stateItems(try await Self.body(request)))
            return Response(status: .noContent)
        }
    }

    @Sendable func deleteState(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let store = try context.parameters.require("store")
            let key = try context.parameters.require("key")
            let concurrency = request.uri.queryParameters.get("concurrency").flatMap(StateConcurrency.init) ?? .lastWrite
            try await api.deleteState(
                store: store, StateDeleteRequest(key: key, etag: request.headers[.ifMatch], concurrency: concurrency))
            return Response(status: .noContent)
        }
    }

    @Sendable func bulkGet(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let store = try context.parameters.require("store")
            let keys = try DaprHTTPRequests.bulkKeys(try await Self.body(request))
            let items = try await api.bulkGet(store: store, keys: keys)
            let list: [[String: Any]] = keys.map { key in
                guard let item = items[key] else { return ["key": key] }
                return ["key": key, "data": Self.jsonValue(item.value), "etag": item.etag]
            }
            return Self.json(list)
        }
    }

    @Sendable func transaction(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let store = try context.parameters.require("store")
            let batch = try DaprHTTPRequests.transaction(try await Self.body(request))
            try await api.transact(store: store, batch)
            return Response(status: .noContent)
        }
    }

    @Sendable func publish(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let pubsub = try context.parameters.require("pubsub")
            let topic = context.parameters.getCatchAll().joined(separator: "/")
            try await api.publish(
                pubsub: pubsub, topic: topic, data: try await Self.body(request), contentType: request.headers[.contentType],
                metadata: Self.metadata(request), traceparent: request.headers[HTTPField.Name("traceparent")!])
            return Response(status: .noContent)
        }
    }

    @Sendable func binding(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let name = try context.parameters.require("name")
            let binding = try DaprHTTPRequests.binding(try await Self.body(request))
            let response = try await api.invokeBinding(
                name: name, operation: binding.operation, data: binding.data, metadata: binding.metadata)
            guard !response.data.isEmpty else { return Response(status: .noContent) }
            var headers = HTTPFields()
            for (key, value) in response.metadata {
                if let field = HTTPField.Name("metadata.\(key)") { headers[field] = value }
            }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.data)))
        }
    }

    @Sendable func secret(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            Self.json(try await api.secret(store: try context.parameters.require("store"), key: try context.parameters.require("name")))
        }
    }

    @Sendable func bulkSecrets(_ request: Request, context: Context) async throws -> Response {
        try await handle { Self.json(try await api.bulkSecrets(store: try context.parameters.require("store"))) }
    }

    @Sendable func configuration(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let keys = request.uri.queryParameters.getAll("key").map { String($0) }
            let items = try await api.configuration(store: try context.parameters.require("store"), keys: keys)
            return Self.json(items.mapValues { ["value": $0.value, "version": $0.version, "metadata": $0.metadata] as [String: Any] })
        }
    }

    @Sendable func metadata(_ request: Request, context: Context) async throws -> Response {
        var body: [String: Any] = [
            "id": api.appID, "runtimeVersion": DaprAPI.runtimeVersion, "enabledFeatures": [String](), "actors": [Any](),
            "extended": api.extended,
            "components": api.components.map { ["name": $0.name, "type": $0.type, "version": $0.version, "capabilities": $0.capabilities] },
            "subscriptions": api.subscriptionList.map { subscription -> [String: Any] in
                var entry: [String: Any] = [
                    "pubsubname": subscription.pubsubName, "topic": subscription.topic, "metadata": [String: String](),
                    "rules": subscription.routes.listed.map { ["match": $0.match, "path": $0.path] }, "type": "PROGRAMMATIC",
                ]
                if let deadLetter = subscription.deadLetterTopic { entry["deadLetterTopic"] = deadLetter }
                return entry
            },
        ]
        if let port = api.appConnectionPort {
            body["appConnectionProperties"] = ["port": port, "protocol": "http", "channelAddress": "127.0.0.1"]
        }
        return Self.json(body)
    }

    @Sendable func invoke(_ request: Request, context: Context) async throws -> Response {
        try await handle {
            let app = try context.parameters.require("app")
            let method = context.parameters.getCatchAll().joined(separator: "/")
            var headers: HeaderList = []
            for field in request.headers { headers.append((field.name.canonicalName, field.value)) }
            let guestRequest = GuestRequest(
                method: request.method.rawValue, path: "/" + method, query: request.uri.query ?? "", headers: headers,
                body: try await Self.body(request), origin: RequestOrigin(requestID: UUID().uuidString))
            let response = try await api.invoke(appID: app, guestRequest)
            var fields = HTTPFields()
            for (name, value) in response.headers where !HopByHop.names.contains(name) {
                if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
            }
            return Response(
                status: HTTPResponse.Status(code: response.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
        }
    }

    // MARK: Helpers

    /// Runs a handler, turning ``DaprError``s into Dapr's error responses.
    func handle(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as DaprError {
            return Self.error(error)
        } catch let error as HTTPError where error.status == .badRequest {
            return Self.error(DaprError.malformed("\(error)"))
        }
    }

    static func error(_ error: DaprError) -> Response {
        json(["errorCode": error.errorCode, "message": error.message], status: HTTPResponse.Status(code: error.httpStatus))
    }

    static func json(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: serialize(value))))
    }

    static func serialize(_ value: Any) -> [UInt8] {
        [UInt8]((try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])) ?? Data("null".utf8))
    }

    /// Stored bytes as a JSON value: parsed when they are JSON, else a string.
    static func jsonValue(_ bytes: [UInt8]) -> Any {
        if let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) { return value }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        return Array(buffer: try await request.collectBody(upTo: 64 << 20))
    }

    /// `metadata.<name>` query parameters, Dapr's way of passing request metadata.
    static func metadata(_ request: Request) -> [String: String] {
        var metadata: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where name.hasPrefix("metadata.") {
            metadata[String(name.dropFirst(9))] = String(value)
        }
        return metadata
    }
}

/// `DAPR_API_TOKEN`: when set, every call needs it in `dapr-api-token`, except health checks.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, !request.uri.path.hasPrefix("/v1.0/healthz") else { return try await next(request, context) }
        guard request.headers[HTTPField.Name("dapr-api-token")!] == token else {
            return DaprHTTPAPI.error(.unauthorized)
        }
        return try await next(request, context)
    }
}
