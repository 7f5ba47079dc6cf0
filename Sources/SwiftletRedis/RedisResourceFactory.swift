import Foundation
import SwiftletBlocks
import SwiftletResources
import SwiftletManifest

/// `state.redis`, `pubsub.redis` and `configuration.redis`.
public struct RedisResourceFactory: ResourceFactory {
    public init() {}

    public var types: [String] { ["state.redis", "pubsub.redis", "configuration.redis"] }

    public func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource {
        let (host, port) = try settings.hostAndPort("redisHost", defaultPort: 6379)
        let client = RedisClient(
            configuration: RedisClient.Configuration(
                host: host, port: port, password: settings.string("redisPassword"),
                database: try settings.int("redisDB", default: 0, in: 0...1_000_000)))
        // Unreachable at start is a configuration problem worth stopping for.
        do {
            try await client.send(["PING"])
        } catch {
            throw settings.spec.error(field: "redisHost", "cannot reach Redis at \(host):\(port): \(error)")
        }
        switch settings.type {
        case "state.redis":
            let ttl = try settings.int("ttlInSeconds", default: 0, in: -1...Int(Int32.max))
            return .state(RedisStateStore(client: client, name: settings.name, defaultTTL: ttl > 0 ? ttl : nil))
        case "pubsub.redis":
            let maxLength = try settings.int("maxLenApprox", default: 0, in: 0...Int(Int32.max))
            let processingTimeout: Double? =
                settings.string("processingTimeout") == nil ? nil : try settings.seconds("processingTimeout", default: 60)
            // Dapr reads 0 as "never redeliver"; here it would reclaim every pending entry at
            // once, so replicas would take each other's in-flight messages.
            if let processingTimeout, processingTimeout <= 0 {
                throw settings.spec.error(
                    field: "processingTimeout", "must be a positive duration (unacknowledged messages are always redelivered)")
            }
            return .pubsub(RedisStreamsPubSub(
                client: client, name: settings.name, consumerID: settings.string("consumerID") ?? Self.consumerName(),
                maxLength: maxLength > 0 ? maxLength : nil, processingTimeoutSeconds: processingTimeout))
        default:
            return .configuration(RedisConfigurationStore(client: client, name: settings.name))
        }
    }

    /// A consumer name unique to this process, so replicas are distinct group members.
    static func consumerName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
