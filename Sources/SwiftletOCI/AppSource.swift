import Foundation

/// Where an app comes from, as `up`, `deploy` and the admin API take it: a directory holding
/// `swiftlet.yaml`, a manifest path, or `oci://registry/repository[:tag|@digest]`, which is
/// pulled into the cache first.
public struct AppSource: Sendable {
    public var insecure: Bool
    public var cache: BlobCache
    public var username: String?
    public var password: String?

    public init(insecure: Bool = false, cache: BlobCache = BlobCache(), username: String? = nil, password: String? = nil) {
        self.insecure = insecure
        self.cache = cache
        self.username = username
        self.password = password
    }

    /// The manifest path for `text`, and the pulled artifact when it was a reference.
    public func resolve(_ text: String) async throws -> (manifestPath: String, pulled: RegistryClient.PulledApp?) {
        if OCIReference.looksLikeReference(text) {
            let reference = try OCIReference(parsing: text)
            let client = RegistryClient(
                insecure: insecure,
                credentials: RegistryCredentials.resolve(registry: reference.registry, username: username, password: password))
            let pulled = try await client.pull(reference, into: cache)
            return (pulled.manifestPath, pulled)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), isDirectory.boolValue {
            return (URL(fileURLWithPath: text).appendingPathComponent("swiftlet.yaml").path, nil)
        }
        return (text, nil)
    }
}
