/// A Dapr `Component` resource (`apiVersion: dapr.io/v1alpha1`, `kind: Component`).
public struct ResourceSpec: Sendable {
    public var name: String
    /// `spec.type`, e.g. `state.redis`.
    public var type: String
    public var version: String
    public var metadata: [MetadataItem]
    /// App ids allowed to use the component; empty means all.
    public var scopes: [String]
    /// `auth.secretStore`: where `secretKeyRef`s are resolved.
    public var secretStore: String?
    /// Where the resource was read from, for errors found later (a backend that cannot be
    /// reached names the file and the field).
    public var location: ManifestLocation
    public var typeLocation: ManifestLocation

    public init(
        name: String, type: String, version: String = "v1", metadata: [MetadataItem] = [], scopes: [String] = [],
        secretStore: String? = nil, location: ManifestLocation, typeLocation: ManifestLocation? = nil
    ) {
        self.name = name
        self.type = type
        self.version = version
        self.metadata = metadata
        self.scopes = scopes
        self.secretStore = secretStore
        self.location = location
        self.typeLocation = typeLocation ?? location
    }

    /// The metadata item `name`, if present.
    public func item(_ name: String) -> MetadataItem? {
        metadata.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// An error about the component as a whole.
    public func error(_ message: String) -> ManifestError {
        location.error(message)
    }

    /// An error about metadata item `name`, at the item if present, else at `spec.metadata`.
    public func error(field name: String, _ message: String) -> ManifestError {
        if let item = item(name) { return item.location.error(message) }
        var location = location
        location.field = "spec.metadata[\(name)]"
        return location.error(message)
    }

    public func scoped(to appID: String) -> Bool {
        scopes.isEmpty || scopes.contains(appID)
    }
}

/// One `spec.metadata` entry: a literal value or a reference to a secret.
public struct MetadataItem: Sendable {
    public var name: String
    public var value: String?
    public var secretKeyRef: SecretKeyRef?
    public var location: ManifestLocation

    public init(name: String, value: String? = nil, secretKeyRef: SecretKeyRef? = nil, location: ManifestLocation) {
        self.name = name
        self.value = value
        self.secretKeyRef = secretKeyRef
        self.location = location
    }
}

/// `secretKeyRef: {name, key}`: secret `name`, entry `key` (default: the secret's name).
public struct SecretKeyRef: Sendable, Equatable {
    public var name: String
    public var key: String?

    public init(name: String, key: String? = nil) {
        self.name = name
        self.key = key
    }
}

/// A Dapr declarative `Subscription` (`dapr.io/v2alpha1` or `v1alpha1`).
public struct SubscriptionSpec: Sendable {
    public var name: String
    public var pubsubName: String
    public var topic: String
    /// Default route: events no rule matches (none: they are dropped).
    public var route: String?
    /// `routes.rules`, in order: the first whose `match` the event satisfies wins.
    public var rules: [SubscriptionRuleSpec] = []
    public var deadLetterTopic: String?
    public var scopes: [String]
    public var location: ManifestLocation
}

/// One `routes.rules` entry. The match expression is parsed where events are routed; its
/// location lets a bad expression be reported at the rule.
public struct SubscriptionRuleSpec: Sendable {
    public var match: String
    public var path: String
    public var location: ManifestLocation

    public init(match: String, path: String, location: ManifestLocation) {
        self.match = match
        self.path = path
        self.location = location
    }
}
