import Foundation

/// The local content-addressed cache: `blobs/sha256/<hex>` holds verified blobs,
/// `apps/<hex>/` an app unpacked from the manifest with that digest. Blobs are written to a
/// temporary name and renamed only once their digest checks out, so the cache never holds
/// a blob that does not match its name.
public struct BlobCache: Sendable {
    public let root: String

    /// `SWIFTLET_CACHE_DIR`, else `$XDG_CACHE_HOME/swiftlet`, else `~/.cache/swiftlet`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["SWIFTLET_CACHE_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/swiftlet" }
        return (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/swiftlet"
    }

    public init(root: String = BlobCache.defaultRoot()) {
        self.root = root
    }

    public func blobPath(_ digest: String) -> String { "\(root)/blobs/sha256/\(Digest.hex(digest))" }
    public func appDirectory(_ manifestDigest: String) -> String { "\(root)/apps/\(Digest.hex(manifestDigest))" }

    /// Whether the app with this manifest digest is unpacked already (it then serves from
    /// its directory, and its layer blobs need not be read again).
    public func isUnpacked(_ manifestDigest: String) -> Bool {
        FileManager.default.fileExists(atPath: appDirectory(manifestDigest) + "/.swiftlet-unpacked")
    }

    /// Whether a blob is cached and still matches its digest; a corrupt one is removed.
    public func hasVerifiedBlob(_ digest: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: blobPath(digest)) else { return false }
        if Digest.sha256(data) == digest { return true }
        try? FileManager.default.removeItem(atPath: blobPath(digest))
        return false
    }

    /// Stores `bytes` under `digest` after checking it.
    public func store(_ bytes: [UInt8], digest: String, what: String) throws {
        let actual = Digest.sha256(bytes)
        guard actual == digest else { throw OCIError.digestMismatch(what: what, expected: digest, actual: actual) }
        let path = blobPath(digest)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".partial-\(UUID().uuidString.prefix(8))"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }

    /// Lays the app out under `apps/<manifest digest>/` from verified blobs and returns the
    /// path of its manifest file. Done once per digest: the directory is the app.
    public func unpack(_ manifest: ImageManifest, manifestDigest: String, config: AppConfig) throws -> String {
        let directory = appDirectory(manifestDigest)
        let manifestPath = directory + "/" + config.manifest
        if isUnpacked(manifestDigest) { return manifestPath }
        let staging = directory + ".partial-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for layer in manifest.layers {
            guard let title = layer.title, AppArtifact.isSafeRelativePath(title) else {
                throw OCIError.invalidArtifact("layer \(layer.digest) has no safe path")
            }
            let target = staging + "/" + title
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: blobPath(layer.digest), toPath: target)
        }
        try Data(manifestDigest.utf8).write(to: URL(fileURLWithPath: staging + "/.swiftlet-unpacked"))
        _ = try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(
            atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: staging, toPath: directory)
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw OCIError.invalidArtifact("the config names \(config.manifest), which no layer provides")
        }
        return manifestPath
    }
}
