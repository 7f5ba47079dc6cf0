import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwiftletABI
import SwiftletBlocks
import SwiftletResources
import SwiftletTelemetry
import Tracing
import Yams

/// Routes service invocation by app id: this Swiftlet's Wasm app, the app beside it, or
/// another Swiftlet (a peer) that hosts the id.
public struct ServiceInvoker: Sendable {
    public typealias LocalHandler = @Sendable (GuestRequest) async throws(BuildingBlockError) -> GuestResponse

    /// Invocations forwarded between Swiftlets carry their depth here, so a forwarding loop ends.
    public static let depthHeader = CallDepth.header

    let localAppID: String
    let local: LocalHandler
    let appChannel: AppChannel?
    /// App id -> base URL of the peer's Dapr HTTP API.
    let peers: [String: String]
    let apiToken: String?
    let client: HTTPClient

    public init(
        localAppID: String, local: @escaping LocalHandler, appChannel: AppChannel?, peers: [String: String], apiToken: String?,
        client: HTTPClient = .shared
    ) {
        self.localAppID = localAppID
        self.local = local
        self.appChannel = appChannel
        self.peers = peers
        self.apiToken = apiToken
        self.client = client
    }

    /// The app ids this Swiftlet can reach.
    public var knownAppIDs: [String] {
        [localAppID] + (appChannel.map { [$0.appID] } ?? []) + peers.keys.sorted()
    }

    /// Invokes `request.path` (with its query) on app `appID`, in a client span that is a
    /// child of the request's `traceparent` and whose context the callee receives.
    public func invoke(appID: String, request: GuestRequest) async throws(BuildingBlockError) -> GuestResponse {
        guard Telemetry.tracingEnabled else { return try await route(appID: appID, request: request) }
        var request = request
        let result = await withSpan(
            "invoke \(appID)\(request.path)", context: TraceHeaders.context(from: request.headers), ofKind: .client
        ) { span in
            span.attributes["rpc.system"] = "dapr"
            span.attributes["rpc.service"] = appID
            span.attributes["rpc.method"] = request.path
            request.headers = TraceHeaders.replacing(request.headers, with: span.context)
            let result: Result<GuestResponse, BuildingBlockError>
            do throws(BuildingBlockError) {
                result = .success(try await route(appID: appID, request: request))
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let response):
                span.attributes["http.response.status_code"] = response.status
                if response.status >= 500 { span.setStatus(SpanStatus(code: .error)) }
            case .failure(let error):
                span.setStatus(SpanStatus(code: .error, message: error.message))
            }
            return result
        }
        return try result.get()
    }

    private func route(appID: String, request: GuestRequest) async throws(BuildingBlockError) -> GuestResponse {
        let depth = try CallDepth.of(request)
        // The app channel first: `swiftlet daprd` names its (possibly empty) Wasm app after
        // the app beside it.
        if let appChannel, appID == appChannel.appID { return try await appChannel.send(request) }
        if appID == localAppID { return try await local(request) }
        guard let peer = peers[appID] else {
            throw BuildingBlockError(.notFound, "couldn't find service \(appID)")
        }
        return try await forward(request, to: peer, appID: appID, depth: depth + 1)
    }

    private func forward(_ request: GuestRequest, to peer: String, appID: String, depth: Int) async throws(BuildingBlockError)
        -> GuestResponse
    {
        let method = request.path.hasPrefix("/") ? String(request.path.dropFirst()) : request.path
        var url = "\(peer)/v1.0/invoke/\(appID)/method/\(method)"
        if !request.query.isEmpty { url += "?" + request.query }
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers where !HopByHop.names.contains(name) && name != "dapr-api-token" && name != Self.depthHeader {
            outgoing.headers.add(name: name, value: value)
        }
        outgoing.headers.add(name: Self.depthHeader, value: String(depth))
        if let apiToken { outgoing.headers.add(name: "dapr-api-token", value: apiToken) }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        do {
            let response = try await client.execute(outgoing, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 64 << 20)
            return GuestResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name.lowercased(), $0.value) },
                body: Array(buffer: body))
        } catch {
            throw BuildingBlockError(.unavailable, "peer \(peer) for \(appID): \(error)")
        }
    }
}

/// `--peers FILE`: `peers: {appId: "http://host:port"}` — where other Swiftlets' Dapr HTTP
/// APIs are, until there is a name resolver.
public enum PeerDirectory {
    public static func load(_ path: String) throws(BuildingBlockError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw BuildingBlockError(.notFound, "cannot read peers file \(path)")
        }
        guard let root = (try? Yams.load(yaml: text)) as? [String: Any], let entries = root["peers"] as? [String: Any] else {
            throw BuildingBlockError(.invalidArgument, "\(path): expected 'peers:' mapping app ids to http:// addresses")
        }
        var peers: [String: String] = [:]
        for (appID, value) in entries {
            guard let address = value as? String, address.hasPrefix("http://") || address.hasPrefix("https://") else {
                throw BuildingBlockError(.invalidArgument, "\(path): peer '\(appID)' needs an http:// address")
            }
            peers[appID] = address.hasSuffix("/") ? String(address.dropLast()) : address
        }
        return peers
    }
}
