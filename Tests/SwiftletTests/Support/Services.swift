import Foundation
import Logging
import SwiftletBlocks
import SwiftletResources
import SwiftletManifest
import SwiftletNATS
import SwiftletPostgres
import SwiftletRedis
import SwiftletRuntime
import SwiftletSQLite
import Testing

/// The real backends the tests use, as `scripts/services.sh` starts them. A missing one
/// fails the test with what to install.
enum Services {
    static let environment = ProcessInfo.processInfo.environment
    static var redis: String { environment["SWIFTLET_TEST_REDIS"] ?? "127.0.0.1:16379" }
    static var postgres: String {
        environment["SWIFTLET_TEST_POSTGRES"] ?? "host=127.0.0.1 port=15432 user=postgres database=postgres"
    }
    static var nats: String { environment["SWIFTLET_TEST_NATS"] ?? "nats://127.0.0.1:14222" }

    /// The runtime's own list, so a backend added there is tested the way it is built.
    static let factories = LoadedApp.factories

    static let hint = "start the test services with scripts/services.sh start (scripts/test.sh installs and starts redis-server, postgresql and nats-server)"

    /// Builds a component the way the runtime does, from a spec.
    static func make(
        _ type: String, name: String = "test", metadata: [String: String] = [:], directory: String = NSTemporaryDirectory(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Resource {
        let location = ManifestLocation(file: "test.yaml", line: 1, column: 1, field: "")
        let spec = ResourceSpec(
            name: name, type: type, version: "v1",
            metadata: metadata.map { MetadataItem(name: $0.key, value: $0.value, secretKeyRef: nil, location: location) },
            scopes: [], secretStore: nil, location: location, typeLocation: location)
        let context = ResourceContext(
            appID: "tests", stateDirectory: directory, baseDirectory: directory, logger: Logger(label: "test"))
        guard let factory = factories.first(where: { $0.types.contains(type) }) else {
            throw TestFailure("no factory for \(type)")
        }
        do throws(ManifestError) {
            return try await factory.make(ResourceSettings(spec: spec, values: metadata), context: context)
        } catch {
            Issue.record("\(type) is not available: \(error.description). \(hint)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Metadata for a backend by its short name, as the conformance suites name them.
    static func metadata(_ backend: String, directory: String) -> (type: String, metadata: [String: String]) {
        switch backend {
        case "state.sqlite": (backend, ["connectionString": directory + "/state.db"])
        case "state.redis": (backend, ["redisHost": redis])
        case "state.postgresql": (backend, ["connectionString": postgres, "tableName": "conformance_state"])
        case "pubsub.sqlite": (backend, ["connectionString": directory + "/pubsub.db"])
        case "pubsub.redis": (backend, ["redisHost": redis, "consumerID": "c-\(UUID().uuidString.prefix(8))"])
        case "pubsub.jetstream": (backend, ["natsURL": nats])
        default: (backend, [:])
        }
    }

    static func state(_ backend: String, directory: String) async throws -> any StateStore {
        let (type, metadata) = metadata(backend, directory: directory)
        guard case .state(let store) = try await make(type, metadata: metadata, directory: directory) else {
            throw TestFailure("\(backend) is not a state store")
        }
        return store
    }

    static func pubsub(_ backend: String, directory: String) async throws -> any PubSubBackend {
        let (type, metadata) = metadata(backend, directory: directory)
        guard case .pubsub(let broker) = try await make(type, metadata: metadata, directory: directory) else {
            throw TestFailure("\(backend) is not a pub/sub broker")
        }
        return broker
    }
}
