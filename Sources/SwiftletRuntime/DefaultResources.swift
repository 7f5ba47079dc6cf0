import Foundation
import SwiftletManifest

/// What an app gets when it has no components directory: everything embedded, nothing to
/// run beside Swiftlet.
enum DefaultResources {
    /// `statestore` (state.sqlite) and `pubsub` (pubsub.sqlite) under `.swiftlet/`,
    /// `envsecretstore` (secretstores.local.env), and `localsecretstore`
    /// (secretstores.local.file) when the app has a `secrets.json` (or `SWIFTLET_SECRETS_FILE`
    /// names one, as a Kubernetes Secret mount does).
    static func specs(
        manifestDirectory: String, stateDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [ResourceSpec] {
        let location = ManifestLocation(file: "(embedded defaults)", line: 0, column: 0, field: "")
        func spec(_ name: String, _ type: String, _ metadata: [String: String]) -> ResourceSpec {
            ResourceSpec(
                name: name, type: type,
                metadata: metadata.map { MetadataItem(name: $0.key, value: $0.value, location: location) },
                location: location)
        }
        var specs = [
            spec("statestore", "state.sqlite", ["connectionString": stateDirectory + "/statestore.db"]),
            spec("pubsub", "pubsub.sqlite", ["connectionString": stateDirectory + "/pubsub.db"]),
            spec("envsecretstore", "secretstores.local.env", [:]),
        ]
        let secrets = environment["SWIFTLET_SECRETS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? URL(fileURLWithPath: manifestDirectory).appendingPathComponent("secrets.json").path
        if FileManager.default.fileExists(atPath: secrets) {
            specs.append(spec("localsecretstore", "secretstores.local.file", ["secretsFile": secrets]))
        }
        return specs
    }
}
