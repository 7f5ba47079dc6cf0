/// The OCI image-manifest shapes Swiftlet reads and writes (image-spec v1.1).
public enum MediaType {
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let imageIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// The artifact type and config of a Swiftlet app.
    public static let appArtifact = "application/vnd.swiftlet.app.v1"
    public static let appConfig = "application/vnd.swiftlet.app.config.v1+json"
    /// A Wasm module, as the CNCF TAG Runtime Wasm artifact layout names it.
    public static let wasm = "application/wasm"
    public static let appManifest = "application/vnd.swiftlet.manifest.v1+yaml"
    public static let component = "application/vnd.swiftlet.component.v1+yaml"
    public static let file = "application/vnd.swiftlet.file.v1"
}

/// Where a layer goes when unpacked: the path relative to the app directory.
public let titleAnnotation = "org.opencontainers.image.title"

public struct Descriptor: Codable, Sendable, Equatable {
    public var mediaType: String
    public var digest: String
    public var size: Int
    public var annotations: [String: String]?

    public init(mediaType: String, digest: String, size: Int, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }

    public var title: String? { annotations?[titleAnnotation] }
}

public struct ImageManifest: Codable, Sendable, Equatable {
    public var schemaVersion = 2
    public var mediaType: String? = MediaType.imageManifest
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(artifactType: String?, config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// The Swiftlet app config blob: what the app is and which file is its manifest.
public struct AppConfig: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    /// The manifest's path inside the artifact.
    public var manifest: String
    /// Wasm modules by component id -> path, so tools can list them without the YAML.
    public var components: [String: String]
    public var created: String?

    public init(name: String, version: String, manifest: String, components: [String: String], created: String? = nil) {
        self.name = name
        self.version = version
        self.manifest = manifest
        self.components = components
        self.created = created
    }
}
