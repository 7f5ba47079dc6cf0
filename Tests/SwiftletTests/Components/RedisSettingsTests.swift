import Foundation
import Logging
import SwiftletBlocks
import SwiftletResources
import SwiftletManifest
import SwiftletRedis
import Testing

/// `pubsub.redis` settings that would break at-least-once delivery are refused at load.
@Suite struct RedisSettingsTests {
    @Test(arguments: ["0s", "0"])
    func processingTimeoutMustBePositive(value: String) async throws {
        let location = ManifestLocation(file: "pubsub.yaml", line: 7, column: 9, field: "")
        let metadata = ["redisHost": Services.redis, "processingTimeout": value]
        let spec = ResourceSpec(
            name: "pubsub", type: "pubsub.redis", version: "v1",
            metadata: metadata.map { item in
                var at = location
                at.field = "spec.metadata[\(item.key)]"
                return MetadataItem(name: item.key, value: item.value, secretKeyRef: nil, location: at)
            },
            scopes: [], secretStore: nil, location: location, typeLocation: location)
        let context = ResourceContext(
            appID: "tests", stateDirectory: NSTemporaryDirectory(), baseDirectory: NSTemporaryDirectory(), logger: Logger(label: "test"))
        do {
            _ = try await RedisResourceFactory().make(ResourceSettings(spec: spec, values: metadata), context: context)
            Issue.record("processingTimeout \(value) was accepted")
        } catch {
            #expect(error.description.contains("processingTimeout"), "\(error.description)")
            #expect(error.description.contains("must be a positive duration"), "\(error.description). \(Services.hint)")
        }
    }
}
