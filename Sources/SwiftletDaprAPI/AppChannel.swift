import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwiftletABI
import SwiftletBlocks
import SwiftletCore
import SwiftletResources
import SwiftletEventTriggers

/// The ordinary app beside Swiftlet (`--app-id`, `--app-port`): Swiftlet calls it to deliver
/// events and invocations, with `APP_API_TOKEN` as `dapr-api-token` when set.
public struct AppChannel: Sendable {
    public let appID: String
    public let port: Int
    let token: String?
    let client: HTTPClient
    /// `--app-max-concurrency`: calls to the app beyond it wait their turn (nil: unlimited).
    let concurrency: AsyncSemaphore?

    public init(appID: String, port: Int, token: String?, maxConcurrency: Int? = nil, client: HTTPClient = .shared) {
        self.appID = appID
        self.port = port
        self.token = token
        self.client = client
        concurrency = maxConcurrency.map { AsyncSemaphore(permits: $0) }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Sends `request` to the app and returns its whole response.
    public func send(_ request: GuestRequest, timeout: TimeAmount = .seconds(60)) async throws(BuildingBlockError) -> GuestResponse {
        var outgoing = HTTPClientRequest(url: baseURL + request.path + (request.query.isEmpty ? "" : "?" + request.query))
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers where !HopByHop.names.contains(name) && name != "dapr-api-token" {
            outgoing.headers.add(name: name, value: value)
        }
        if let token { outgoing.headers.replaceOrAdd(name: "dapr-api-token", value: token) }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        if let concurrency { await concurrency.acquire() }
        defer { concurrency?.release() }
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            let body = try await response.body.collect(upTo: 64 << 20)
            return GuestResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name.lowercased(), $0.value) },
                body: Array(buffer: body))
        } catch {
            throw BuildingBlockError(.unavailable, "app \(appID) on port \(port): \(error)")
        }
    }

    /// Waits until the app's port accepts connections, as Dapr does before asking it for
    /// subscriptions.
    public func waitUntilReachable(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        // Cancellation (a shutdown) ends the wait at once instead of holding the drain open.
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if (try? await send(GuestRequest(method: "GET", path: "/dapr/subscribe"), timeout: .seconds(2))) != nil { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// `GET /dapr/subscribe`: the app's programmatic subscriptions.
    public func subscriptions() async throws(BuildingBlockError) -> [AppSubscription] {
        let response = try await send(GuestRequest(method: "GET", path: "/dapr/subscribe"))
        guard response.status == 200 else { return [] }
        guard let list = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] else {
            throw BuildingBlockError(.invalidArgument, "GET /dapr/subscribe did not return a JSON list")
        }
        var subscriptions: [AppSubscription] = []
        for entry in list {
            do throws(BuildingBlockError) {
                if let subscription = try AppSubscription(entry) { subscriptions.append(subscription) }
            } catch {
                throw BuildingBlockError(.invalidArgument, "GET /dapr/subscribe: topic \(entry["topic"] ?? "?"): \(error.message)")
            }
        }
        return subscriptions
    }

    /// `OPTIONS /<binding>`: anything but 404 means the app wants the binding's events.
    public func wantsBinding(_ name: String) async -> Bool {
        guard let response = try? await send(GuestRequest(method: "OPTIONS", path: "/\(name)")) else { return false }
        return response.status != 404
    }
}

/// One entry of `GET /dapr/subscribe`.
public struct AppSubscription: Sendable {
    public var pubsubName: String
    public var topic: String
    public var routes: TopicRoutes
    public var deadLetterTopic: String?

    public init(pubsubName: String, topic: String, routes: TopicRoutes, deadLetterTopic: String? = nil) {
        self.pubsubName = pubsubName
        self.topic = topic
        self.routes = routes
        self.deadLetterTopic = deadLetterTopic
    }

    /// Reads `{pubsubname, topic, route | routes: {default, rules: [{match, path}]},
    /// deadLetterTopic}`. Without a route or rules, events go to `/<topic>`. A rule whose
    /// match does not parse makes the entry an error (the subscription is not made).
    init?(_ entry: [String: Any]) throws(BuildingBlockError) {
        guard let pubsub = entry["pubsubname"] as? String, let topic = entry["topic"] as? String else { return nil }
        var route = entry["route"] as? String
        var rules: [TopicRoutes.Rule] = []
        if let routes = entry["routes"] as? [String: Any] {
            route = route ?? routes["default"] as? String
            for rule in routes["rules"] as? [[String: Any]] ?? [] {
                guard let path = rule["path"] as? String, !path.isEmpty else { continue }
                rules.append(TopicRoutes.Rule(match: try RouteMatch(rule["match"] as? String ?? ""), path: path))
            }
        }
        if route == nil && rules.isEmpty { route = "/\(topic)" }
        self.pubsubName = pubsub
        self.topic = topic
        self.routes = TopicRoutes(rules: rules, defaultPath: route)
        self.deadLetterTopic = entry["deadLetterTopic"] as? String
    }
}

/// Delivers events to the app over HTTP, with Dapr's reading of its answer.
public struct AppChannelDestination: EventDestination {
    public let channel: AppChannel

    public init(channel: AppChannel) {
        self.channel = channel
    }

    public var name: String { "app \(channel.appID)" }

    public func deliver(_ request: GuestRequest) async -> EventOutcome {
        do {
            return EventOutcome.from(try await channel.send(request))
        } catch {
            return .retry(error.message)
        }
    }
}

/// Headers that describe one connection and are never forwarded.
enum HopByHop {
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host",
        "content-length",
    ]
}
