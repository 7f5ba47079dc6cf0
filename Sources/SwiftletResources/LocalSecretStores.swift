import Foundation
import SwiftletBlocks
import SwiftletManifest

/// `secretstores.local.env`: environment variables as secrets, optionally filtered and
/// stripped by `prefix`.
public struct EnvironmentSecretStore: SecretStore {
    let prefix: String
    let environment: [String: String]

    public init(prefix: String = "", environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.prefix = prefix
        self.environment = environment
    }

    public func secret(_ name: String) async throws(BuildingBlockError) -> [String: String] {
        guard let value = environment[prefix + name] else {
            throw BuildingBlockError(.notFound, "secret '\(name)' not found")
        }
        return [name: value]
    }

    public func allSecrets() async throws(BuildingBlockError) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (key, value) in environment where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            if !name.isEmpty { result[name] = [name: value] }
        }
        return result
    }
}

/// `secretstores.local.file`: a JSON file; nested objects are flattened with
/// `nestedSeparator` (`db:password`), or kept one secret per top-level key when
/// `multiValued` is true.
public struct FileSecretStore: SecretStore {
    let secrets: [String: [String: String]]

    public init(path: String, nestedSeparator: String = ":", multiValued: Bool = false) throws(BuildingBlockError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BuildingBlockError(.notFound, "cannot read secrets file \(path)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw BuildingBlockError(.invalidArgument, "secrets file \(path) is not a JSON object")
        }
        var secrets: [String: [String: String]] = [:]
        if multiValued {
            for (name, value) in root {
                var flat: [String: String] = [:]
                Self.flatten(value, prefix: nil, separator: nestedSeparator, into: &flat)
                secrets[name] = flat.isEmpty ? [name: Self.text(value)] : flat
            }
        } else {
            var flat: [String: String] = [:]
            Self.flatten(root, prefix: nil, separator: nestedSeparator, into: &flat)
            for (key, value) in flat { secrets[key] = [key: value] }
        }
        self.secrets = secrets
    }

    static func flatten(_ value: Any, prefix: String?, separator: String, into result: inout [String: String]) {
        if let object = value as? [String: Any] {
            for (key, child) in object {
                flatten(child, prefix: prefix.map { "\($0)\(separator)\(key)" } ?? key, separator: separator, into: &result)
            }
        } else if let prefix {
            result[prefix] = text(value)
        }
    }

    static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? NSNumber { return number.stringValue }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }

    public func secret(_ name: String) async throws(BuildingBlockError) -> [String: String] {
        guard let secret = secrets[name] else { throw BuildingBlockError(.notFound, "secret '\(name)' not found") }
        return secret
    }

    public func allSecrets() async throws(BuildingBlockError) -> [String: [String: String]] { secrets }
}

/// `configuration.file`: items from a YAML or JSON map; each value is a string or
/// `{value, version, metadata}`.
public struct FileConfigurationStore: ConfigurationStore {
    let items: [String: ConfigurationItem]

    public init(items: [String: ConfigurationItem]) {
        self.items = items
    }

    public func items(_ keys: [String]) async throws(BuildingBlockError) -> [String: ConfigurationItem] {
        keys.isEmpty ? items : items.filter { keys.contains($0.key) }
    }
}

/// Factory for the stores above; they need nothing but files and the environment.
public struct LocalResourceFactory: ResourceFactory {
    public init() {}

    public var types: [String] { ["secretstores.local.env", "secretstores.local.file", "configuration.file"] }

    public func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource {
        switch settings.type {
        case "secretstores.local.env":
            return .secrets(EnvironmentSecretStore(prefix: settings.string("prefix") ?? ""))
        case "secretstores.local.file":
            let path = resolve(try settings.require("secretsFile"), context)
            let multiValued = try settings.bool("multiValued", default: false)
            do {
                return .secrets(try FileSecretStore(
                    path: path, nestedSeparator: settings.string("nestedSeparator") ?? ":", multiValued: multiValued))
            } catch {
                throw settings.spec.error(field: "secretsFile", error.message)
            }
        default:
            let path = resolve(try settings.require("path"), context)
            do {
                return .configuration(FileConfigurationStore(items: try ConfigurationFile.read(path)))
            } catch {
                throw settings.spec.error(field: "path", error.message)
            }
        }
    }

    func resolve(_ path: String, _ context: ResourceContext) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: context.baseDirectory).appendingPathComponent(path).path
    }
}
