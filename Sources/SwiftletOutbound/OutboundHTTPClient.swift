import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwiftletABI
import SwiftletBlocks
import SwiftletResources
import SwiftletManifest

/// Outbound HTTP for guests and the `bindings.http` component: only to allowed hosts, with
/// a timeout and a response size cap.
public struct OutboundHTTPClient: Sendable {
    let client: HTTPClient
    /// Ceiling on any single request, whatever the guest's deadline.
    let maxTimeout: TimeAmount

    public static let shared = OutboundHTTPClient(
        client: HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow, timeout: HTTPClient.Configuration.Timeout(connect: .seconds(5)))),
        maxTimeout: .seconds(30))

    /// Sends `request` if `allowed` admits its scheme, host and port.
    public func send(_ request: OutboundRequest, allowed: [OutboundHostPattern], deadline: UInt64?) async throws(BuildingBlockError)
        -> GuestResponse
    {
        guard let url = URLComponents(string: request.url), let scheme = url.scheme?.lowercased(), let host = url.host,
            scheme == "http" || scheme == "https"
        else {
            throw BuildingBlockError(.invalidArgument, "'\(request.url)' is not an http or https URL")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        guard allowed.contains(where: { $0.allows(scheme: scheme, host: host, port: port) }) else {
            throw BuildingBlockError(
                .denied, "outbound request to \(scheme)://\(host):\(port) is not in allowed_outbound_hosts")
        }
        return try await perform(request, deadline: deadline)
    }

    /// Sends without a host check (bindings.http, whose URL is the operator's configuration).
    public func perform(_ request: OutboundRequest, deadline: UInt64?) async throws(BuildingBlockError) -> GuestResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method.uppercased())
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        var timeout = maxTimeout
        if let deadline {
            let remaining = Int64(deadline) - Int64(MonotonicClock.now())
            guard remaining > 0 else { throw BuildingBlockError(.timeout, "the request's deadline has passed") }
            timeout = min(timeout, .nanoseconds(remaining))
        }
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            let body = try await response.body.collect(upTo: request.maxResponseBytes)
            return GuestResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name.lowercased(), $0.value) },
                body: Array(buffer: body))
        } catch let error as NIOTooManyBytesError {
            throw BuildingBlockError(.tooLarge, "the response exceeds \(request.maxResponseBytes) bytes: \(error)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw BuildingBlockError(.timeout, "\(request.url): \(error)")
        } catch {
            throw BuildingBlockError(.unavailable, "\(request.url): \(error)")
        }
    }
}

/// `bindings.http`: operations `get`, `post`, `put`, `delete`, ... against metadata `url`;
/// `metadata.path` is appended, other metadata becomes request headers.
public struct HTTPOutputBinding: OutputBinding {
    let url: String
    let client: OutboundHTTPClient

    public var operations: [String] { ["create", "get", "head", "post", "put", "patch", "delete", "options", "trace"] }

    public func invoke(operation: String, data: [UInt8], metadata: [String: String]) async throws(BuildingBlockError)
        -> BindingResponse
    {
        guard operations.contains(operation.lowercased()) else {
            throw BuildingBlockError(.invalidArgument, "bindings.http does not support operation '\(operation)'")
        }
        let method = operation.lowercased() == "create" ? "POST" : operation.uppercased()
        var target = url
        if let path = metadata["path"], !path.isEmpty {
            target = url.hasSuffix("/") || path.hasPrefix("/") ? url + path : url + "/" + path
        }
        let headers = metadata.filter { $0.key != "path" }.map { (name: $0.key.lowercased(), value: $0.value) }
        let response = try await client.perform(
            OutboundRequest(method: method, url: target, headers: headers, body: data, maxResponseBytes: 64 << 20), deadline: nil)
        var responseMetadata = ["statusCode": String(response.status)]
        for (name, value) in response.headers { responseMetadata[name] = value }
        guard response.status < 400 else {
            throw BuildingBlockError(.unavailable, "\(target) answered \(response.status)")
        }
        return BindingResponse(data: response.body, metadata: responseMetadata)
    }
}

/// Factory for `bindings.http`.
public struct HTTPBindingFactory: ResourceFactory {
    public init() {}
    public var types: [String] { ["bindings.http"] }

    public func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource {
        let url = try settings.require("url")
        guard let components = URLComponents(string: url), components.scheme == "http" || components.scheme == "https",
            components.host != nil
        else {
            throw settings.spec.error(field: "url", "expected an http or https URL, got '\(url)'")
        }
        return .outputBinding(HTTPOutputBinding(url: url, client: .shared))
    }
}
