import ArgumentParser
import Foundation
import SwiftletOCI

/// `swiftlet push`: pack the app as an OCI artifact and push it to a registry.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Pack the app (manifest, Wasm modules, mounted files, component YAML) as an OCI artifact and push it.",
        discussion: """
            Each Wasm module is one application/wasm layer; the manifest, mounted files and \
            Dapr component YAML are layers titled with their paths; the config is a Swiftlet \
            app config. The same app always packs to the same digest. Prints the manifest digest.
            """
    )

    @Argument(help: ArgumentHelp("Where to push: [oci://]registry/repository[:tag].", valueName: "ref"))
    var reference: String

    @Option(name: [.short, .customLong("file")], help: "The app manifest.")
    var file = "swiftlet.yaml"

    @Option(help: ArgumentHelp("Dapr component YAML to include (default: components/ beside the manifest).", valueName: "dir"))
    var components: String?

    @OptionGroup var registry: RegistryOptions

    func run() async throws {
        let reference = try RegistryOptions.reference(self.reference)
        let artifact: AppArtifact
        do {
            artifact = try AppArtifact.pack(manifestPath: file, componentsDirectory: components)
            try await registry.client(for: reference).push(artifact, to: reference)
        } catch let error as OCIError {
            throw CLIError(error.description)
        }
        let tag = reference.isDigest ? "" : ":\(reference.reference)"
        print("pushed \(artifact.config.name) \(artifact.config.version) to \(reference.registry)/\(reference.repository)\(tag)")
        print("\(artifact.layers.count) layers, \(artifact.size) bytes")
        print("digest: \(artifact.manifestDigest)")
    }
}
