import Foundation
import Yams

/// Reads Dapr resource YAML (`Component`, `Subscription`) from a directory, every error
/// located by file, line, column and field.
public enum ResourceLoader {
    public struct Resources: Sendable {
        public var components: [ResourceSpec] = []
        public var subscriptions: [SubscriptionSpec] = []
        public init() {}
    }

    /// Kinds Dapr users keep beside their components that Swiftlet does not act on.
    static let ignoredKinds: Set<String> = ["Configuration", "Resiliency", "HTTPEndpoint"]

    /// Loads every `.yaml`/`.yml` file in `directory` (documents separated by `---`).
    public static func load(directory: String) throws(ManifestError) -> Resources {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else {
            throw ManifestError(file: directory, line: 0, column: 0, field: "", message: "cannot read the components directory")
        }
        var resources = Resources()
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            guard let data = manager.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ManifestError(file: path, line: 0, column: 0, field: "", message: "cannot read the file")
            }
            guard data.count <= YAMLDocument.maxBytes else {
                throw ManifestError(file: path, line: 1, column: 1, field: "", message: "the file is larger than 1 MiB")
            }
            try parse(text, file: path, into: &resources)
        }
        var seen: [String: ManifestLocation] = [:]
        for component in resources.components {
            if let first = seen[component.name] {
                throw component.location.error(
                    "a component named '\(component.name)' is already defined at \(first.file):\(first.line)")
            }
            seen[component.name] = component.location
        }
        return resources
    }

    /// Parses one file's documents into `resources`.
    public static func parse(_ text: String, file: String, into resources: inout Resources) throws(ManifestError) {
        let documents = try YAMLDocument.compose(text, file: file, multiple: true)
        for document in documents {
            let root = YAMLField(node: document, path: "", file: file)
            guard case .mapping(let mapping) = document else { throw root.error("expected a Dapr resource (a mapping)") }
            guard let kindNode = mapping["kind"], let kind = kindNode.string else {
                throw root.error("missing required field 'kind'")
            }
            switch kind {
            case "Component":
                resources.components.append(try component(root))
            case "Subscription":
                resources.subscriptions.append(try subscription(root))
            case _ where ignoredKinds.contains(kind):
                continue
            default:
                throw YAMLField(node: kindNode, path: "kind", file: file).error(
                    "unsupported kind '\(kind)' (Component and Subscription are read; Configuration and Resiliency are ignored)")
            }
        }
    }

    static func location(_ field: YAMLField) -> ManifestLocation {
        let mark = field.node.mark
        return ManifestLocation(file: field.file, line: mark?.line ?? 1, column: mark?.column ?? 1, field: field.path)
    }

    static func component(_ root: YAMLField) throws(ManifestError) -> ResourceSpec {
        var name: String?
        var specField: YAMLField?
        var scopes: [String] = []
        var secretStore: String?
        for (key, value) in try root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec", "scopes", "auth"]) {
            switch key {
            case "apiVersion":
                let version = try value.string()
                guard version == "dapr.io/v1alpha1" else {
                    throw value.error("components use apiVersion dapr.io/v1alpha1, not '\(version)'")
                }
            case "metadata": name = try resourceName(value)
            case "spec": specField = value
            case "scopes": scopes = try value.stringList()
            case "auth":
                for (authKey, authValue) in try value.mapping(allowed: ["secretStore"]) where authKey == "secretStore" {
                    secretStore = try authValue.nonEmptyString()
                }
            default: break
            }
        }
        guard let name else { throw root.error("missing required field 'metadata.name'") }
        guard let specField else { throw root.error("missing required field 'spec'") }
        var type: (String, ManifestLocation)?
        var version = "v1"
        var metadata: [MetadataItem] = []
        for (key, value) in try specField.mapping(allowed: ["type", "version", "metadata", "initTimeout", "ignoreErrors"]) {
            switch key {
            case "type": type = (try value.nonEmptyString(), location(value))
            case "version": version = try value.nonEmptyString()
            case "metadata": metadata = try metadataItems(value)
            default: break
            }
        }
        guard let type else { throw specField.error("missing required field 'type' (e.g. state.redis)") }
        return ResourceSpec(
            name: name, type: type.0, version: version, metadata: metadata, scopes: scopes, secretStore: secretStore,
            location: location(root), typeLocation: type.1)
    }

    static func resourceName(_ field: YAMLField) throws(ManifestError) -> String {
        var name: String?
        for (key, value) in try field.mapping(allowed: ["name", "namespace", "labels", "annotations"]) where key == "name" {
            name = try value.nonEmptyString()
        }
        guard let name else { throw field.error("missing required field 'name'") }
        return name
    }

    static func metadataItems(_ field: YAMLField) throws(ManifestError) -> [MetadataItem] {
        var items: [MetadataItem] = []
        for entry in try field.sequence() {
            var name: String?
            var value: String?
            var reference: SecretKeyRef?
            for (key, child) in try entry.mapping(allowed: ["name", "value", "secretKeyRef"]) {
                switch key {
                case "name": name = try child.nonEmptyString()
                case "value":
                    guard child.isScalar else { throw child.error("expected a string value") }
                    value = try child.string()
                case "secretKeyRef":
                    var secretName: String?
                    var secretKey: String?
                    for (refKey, refValue) in try child.mapping(allowed: ["name", "key"]) {
                        if refKey == "name" { secretName = try refValue.nonEmptyString() }
                        if refKey == "key" { secretKey = try refValue.nonEmptyString() }
                    }
                    guard let secretName else { throw child.error("missing required field 'name'") }
                    reference = SecretKeyRef(name: secretName, key: secretKey)
                default: break
                }
            }
            guard let name else { throw entry.error("missing required field 'name'") }
            guard value != nil || reference != nil else { throw entry.error("needs 'value' or 'secretKeyRef'") }
            var itemLocation = location(entry)
            itemLocation.field = "spec.metadata[\(name)]"
            items.append(MetadataItem(name: name, value: value, secretKeyRef: reference, location: itemLocation))
        }
        return items
    }

    static func subscription(_ root: YAMLField) throws(ManifestError) -> SubscriptionSpec {
        var name: String?
        var specField: YAMLField?
        var scopes: [String] = []
        for (key, value) in try root.mapping(allowed: ["apiVersion", "kind", "metadata", "spec", "scopes"]) {
            switch key {
            case "apiVersion":
                let version = try value.string()
                guard version == "dapr.io/v2alpha1" || version == "dapr.io/v1alpha1" else {
                    throw value.error("subscriptions use apiVersion dapr.io/v2alpha1 (or v1alpha1)")
                }
            case "metadata": name = try resourceName(value)
            case "spec": specField = value
            case "scopes": scopes = try value.stringList()
            default: break
            }
        }
        guard let name else { throw root.error("missing required field 'metadata.name'") }
        guard let specField else { throw root.error("missing required field 'spec'") }
        var pubsub: String?
        var topic: String?
        var route: String?
        var rules: [SubscriptionRuleSpec] = []
        var deadLetter: String?
        for (key, value) in try specField.mapping(allowed: [
            "pubsubname", "topic", "route", "routes", "deadLetterTopic", "metadata", "bulkSubscribe",
        ]) {
            switch key {
            case "pubsubname": pubsub = try value.nonEmptyString()
            case "topic": topic = try value.nonEmptyString()
            case "route": route = try value.nonEmptyString()
            case "routes":
                for (routeKey, routeValue) in try value.mapping(allowed: ["default", "rules"]) {
                    if routeKey == "default" {
                        route = try routeValue.nonEmptyString()
                    } else {
                        rules = try routeValue.sequence().map { entry throws(ManifestError) in try rule(entry) }
                    }
                }
            case "deadLetterTopic": deadLetter = try value.nonEmptyString()
            default: break
            }
        }
        guard let pubsub else { throw specField.error("missing required field 'pubsubname'") }
        guard let topic else { throw specField.error("missing required field 'topic'") }
        guard route != nil || !rules.isEmpty else {
            throw specField.error("missing required field 'routes' (rules and/or a default) or 'route'")
        }
        return SubscriptionSpec(
            name: name, pubsubName: pubsub, topic: topic, route: route, rules: rules, deadLetterTopic: deadLetter,
            scopes: scopes, location: location(root))
    }

    /// `{match, path}`; an absent or empty match matches every event.
    static func rule(_ entry: YAMLField) throws(ManifestError) -> SubscriptionRuleSpec {
        var match = ""
        var path: String?
        for (key, value) in try entry.mapping(allowed: ["match", "path"]) {
            if key == "match" { match = try value.string() } else { path = try value.nonEmptyString() }
        }
        guard let path else { throw entry.error("missing required field 'path'") }
        return SubscriptionRuleSpec(match: match, path: path, location: location(entry))
    }
}
