import Foundation
import SwiftletBlocks
import SwiftletResources
import SwiftletManifest

/// `pubsub.jetstream`.
public struct NATSResourceFactory: ResourceFactory {
    public init() {}

    public var types: [String] { ["pubsub.jetstream"] }

    public func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource {
        let url = try settings.require("natsURL")
        guard let components = URLComponents(string: url), let host = components.host, components.scheme == "nats" else {
            throw settings.spec.error(field: "natsURL", "expected nats://host:port, got '\(url)'")
        }
        let client = NATSClient(host: host, port: components.port ?? 4222)
        let deliverPolicy = settings.string("deliverPolicy") ?? "all"
        guard ["all", "new", "last"].contains(deliverPolicy) else {
            throw settings.spec.error(field: "deliverPolicy", "use all, new or last")
        }
        let backend = JetStreamPubSub(
            client: client, name: settings.name, streamName: settings.string("streamName"),
            ackWaitSeconds: settings.string("ackWait") == nil ? nil : try settings.seconds("ackWait", default: 0),
            maxDeliver: try settings.int("maxDeliver", default: -1, in: -1...1_000_000),
            deliverPolicy: deliverPolicy)
        do {
            let reply = try await client.request("$JS.API.INFO", payload: [], timeout: .seconds(5))
            try JetStreamAPI.check(reply, "JetStream account info")
        } catch {
            throw settings.spec.error(field: "natsURL", "cannot reach NATS JetStream at \(url): \(error)")
        }
        return .pubsub(backend)
    }
}
