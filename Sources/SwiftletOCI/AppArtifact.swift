import Foundation
import SwiftletManifest

/// A Swiftlet app as an OCI artifact: the manifest file, every Wasm module (one layer each,
/// `application/wasm`), the files and directories components mount, and the Dapr component
/// YAML, each layer titled with its path inside the app directory; plus the app config.
public struct AppArtifact: Sendable {
    /// A layer and the local file it comes from.
    public struct Layer: Sendable {
        public var descriptor: Descriptor
        public var path: String
    }

    public var config: AppConfig
    public var configBytes: [UInt8]
    public var layers: [Layer]
    public var manifest: ImageManifest
    public var manifestBytes: [UInt8]
    public var manifestDigest: String { Digest.sha256(manifestBytes) }
    /// Bytes of every blob (config and layers), not counting the manifest.
    public var size: Int { configBytes.count + layers.reduce(0) { $0 + $1.descriptor.size } }

    /// Packs the app whose manifest is at `manifestPath`. Components come from
    /// `componentsDirectory`, else from `components/` beside the manifest if there is one.
    /// Everything must live inside the manifest's directory, so the unpacked app resolves
    /// the same relative paths; the same inputs always give the same digest.
    public static func pack(manifestPath: String, componentsDirectory: String? = nil) throws -> AppArtifact {
        let manifest: AppManifest
        do {
            manifest = try ManifestParser.load(path: manifestPath)
        } catch {
            throw OCIError.packing("\(error)")
        }
        let root = URL(fileURLWithPath: manifest.directory).standardizedFileURL.path
        var entries: [(title: String, path: String, mediaType: String)] = []
        var seen: Set<String> = []
        func add(_ path: String, _ mediaType: String, title: String? = nil) throws {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            let name = try title ?? relative(absolute, to: root)
            guard seen.insert(name).inserted else { return }
            entries.append((name, absolute, mediaType))
        }
        try add(manifest.file, MediaType.appManifest)
        var modules: [String: String] = [:]
        for component in manifest.components {
            try add(component.source, MediaType.wasm)
            modules[component.id] = try relative(URL(fileURLWithPath: component.source).standardizedFileURL.path, to: root)
            for file in component.files { try add(file.source, MediaType.file) }
            for directory in component.dirs {
                for file in try filesUnder(directory.source) { try add(file, MediaType.file) }
            }
        }
        let conventional = root + "/components"
        if let directory = componentsDirectory ?? (isDirectory(conventional) ? conventional : nil) {
            let yaml = try filesUnder(directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            for file in yaml {
                try add(file, MediaType.component, title: "components/" + URL(fileURLWithPath: file).lastPathComponent)
            }
        }

        var layers: [Layer] = []
        for entry in entries {
            guard let data = FileManager.default.contents(atPath: entry.path) else {
                throw OCIError.packing("cannot read \(entry.path)")
            }
            layers.append(Layer(
                descriptor: Descriptor(
                    mediaType: entry.mediaType, digest: Digest.sha256(data), size: data.count,
                    annotations: [titleAnnotation: entry.title]),
                path: entry.path))
        }
        let config = AppConfig(
            name: manifest.name, version: manifest.version,
            manifest: try relative(URL(fileURLWithPath: manifest.file).standardizedFileURL.path, to: root), components: modules)
        let configBytes = try encode(config)
        let image = ImageManifest(
            artifactType: MediaType.appArtifact,
            config: Descriptor(mediaType: MediaType.appConfig, digest: Digest.sha256(configBytes), size: configBytes.count),
            layers: layers.map(\.descriptor),
            annotations: ["org.opencontainers.image.title": manifest.name, "org.opencontainers.image.version": manifest.version])
        return AppArtifact(config: config, configBytes: configBytes, layers: layers, manifest: image, manifestBytes: try encode(image))
    }

    /// Sorted keys and no whitespace: the same app packs to the same bytes.
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func relative(_ path: String, to root: String) throws(OCIError) -> String {
        guard path.hasPrefix(root + "/") else {
            throw OCIError.packing("\(path) is outside the app directory \(root): an artifact carries only files inside it")
        }
        return String(path.dropFirst(root.count + 1))
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// Regular files under `directory`, sorted, so packing is deterministic.
    static func filesUnder(_ directory: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw OCIError.packing("cannot list \(directory)")
        }
        var files: [String] = []
        while let item = enumerator.nextObject() as? String {
            let path = directory + "/" + item
            if !isDirectory(path) { files.append(path) }
        }
        return files.sorted()
    }
}

extension AppArtifact {
    /// Checks that a pulled manifest is a Swiftlet app whose layers unpack inside the app
    /// directory, and returns the config descriptor's and layers' titles.
    /// The largest blob a pulled app may have: modules and files of a function app, with
    /// room for an interpreter. Sizes come from the registry, so they are checked before any
    /// is used to size a download.
    public static let maxBlobSize = 1 << 30
    /// Files of one app.
    public static let maxLayers = 4096
    /// The largest app config: a manifest and its component files.
    public static let maxConfigSize = 16 << 20

    public static func validate(_ manifest: ImageManifest) throws(OCIError) {
        guard manifest.config.mediaType == MediaType.appConfig else {
            throw OCIError.invalidArtifact("config media type is \(manifest.config.mediaType), expected \(MediaType.appConfig)")
        }
        guard Digest.isValid(manifest.config.digest) else {
            throw OCIError.invalidArtifact("config digest '\(manifest.config.digest)' is not sha256")
        }
        guard (0...maxConfigSize).contains(manifest.config.size) else {
            throw OCIError.invalidArtifact("the config's size \(manifest.config.size) is outside 0...\(maxConfigSize) bytes")
        }
        guard manifest.layers.count <= maxLayers else {
            throw OCIError.invalidArtifact("\(manifest.layers.count) layers; an app may have at most \(maxLayers)")
        }
        for layer in manifest.layers {
            guard (0...maxBlobSize).contains(layer.size) else {
                throw OCIError.invalidArtifact("layer \(layer.digest) claims \(layer.size) bytes; at most \(maxBlobSize) are accepted")
            }
            guard Digest.isValid(layer.digest) else { throw OCIError.invalidArtifact("layer digest '\(layer.digest)' is not sha256") }
            guard let title = layer.title else { throw OCIError.invalidArtifact("layer \(layer.digest) has no \(titleAnnotation)") }
            guard isSafeRelativePath(title) else {
                throw OCIError.invalidArtifact("layer path '\(title)' would land outside the app directory")
            }
        }
    }

    /// Relative, no `..`, no empty or `.` parts: a pulled artifact cannot write elsewhere.
    static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { $0 != ".." && $0 != "." && !$0.isEmpty }
    }
}
