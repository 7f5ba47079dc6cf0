import ArgumentParser
import SwiftletOCI

/// Flags shared by the commands that talk to a registry.
struct RegistryOptions: ParsableArguments {
    @Flag(help: "Talk plain HTTP to the registry (for a registry on loopback).")
    var insecure = false

    @Option(help: "Registry user name (env SWIFTLET_REGISTRY_USERNAME; else ~/.docker/config.json).")
    var username: String?

    @Option(help: "Registry password or token (env SWIFTLET_REGISTRY_PASSWORD).")
    var password: String?

    @Option(help: ArgumentHelp("Local cache of pulled artifacts (env SWIFTLET_CACHE_DIR; default ~/.cache/swiftlet).", valueName: "dir"))
    var cacheDir: String?

    func client(for reference: OCIReference) -> RegistryClient {
        RegistryClient(
            insecure: insecure,
            credentials: RegistryCredentials.resolve(registry: reference.registry, username: username, password: password))
    }

    var cache: BlobCache { BlobCache(root: cacheDir ?? BlobCache.defaultRoot()) }

    /// How sources given to `up` (and later to the admin API) are resolved.
    var source: AppSource { AppSource(insecure: insecure, cache: cache, username: username, password: password) }

    static func reference(_ text: String) throws -> OCIReference {
        do {
            return try OCIReference(parsing: text)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Pulls `reference` into the cache and returns the unpacked app.
    func pull(_ reference: OCIReference) async throws -> RegistryClient.PulledApp {
        do {
            return try await client(for: reference).pull(reference, into: cache)
        } catch let error as OCIError {
            throw CLIError(error.description)
        }
    }
}
