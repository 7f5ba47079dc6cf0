import ArgumentParser
import Foundation
import SwiftletOCI

/// `swiftlet pull`: fetch an app artifact into the local cache, verifying every digest.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch an app artifact into the local cache, verifying every blob's digest.",
        discussion: "Prints the unpacked app's manifest path; `swiftlet up oci://REF` pulls and serves in one step."
    )

    @Argument(help: ArgumentHelp("What to pull: [oci://]registry/repository[:tag|@sha256:digest].", valueName: "ref"))
    var reference: String

    @OptionGroup var registry: RegistryOptions

    func run() async throws {
        let reference = try RegistryOptions.reference(self.reference)
        let pulled = try await registry.pull(reference)
        print("pulled \(pulled.config.name) \(pulled.config.version) (\(pulled.bytesDownloaded) bytes downloaded)")
        print("digest: \(pulled.manifestDigest)")
        print("manifest: \(pulled.manifestPath)")
    }
}
