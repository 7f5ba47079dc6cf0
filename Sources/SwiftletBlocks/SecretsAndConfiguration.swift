/// A secret store (`secretstores.*`): named secrets, each a map of keys to values.
public protocol SecretStore: Sendable {
    func secret(_ name: String) async throws(BuildingBlockError) -> [String: String]
    func allSecrets() async throws(BuildingBlockError) -> [String: [String: String]]
}

/// A configuration item as Dapr returns it.
public struct ConfigurationItem: Sendable, Equatable {
    public var value: String
    public var version: String
    public var metadata: [String: String]

    public init(value: String, version: String = "", metadata: [String: String] = [:]) {
        self.value = value
        self.version = version
        self.metadata = metadata
    }
}

/// A configuration store (`configuration.*`).
public protocol ConfigurationStore: Sendable {
    /// The items for `keys`, or every item when `keys` is empty; unknown keys are absent.
    func items(_ keys: [String]) async throws(BuildingBlockError) -> [String: ConfigurationItem]
}

/// The reply of an output binding.
public struct BindingResponse: Sendable {
    public var data: [UInt8]
    public var metadata: [String: String]

    public init(data: [UInt8], metadata: [String: String] = [:]) {
        self.data = data
        self.metadata = metadata
    }
}

/// An output binding (`bindings.*`), or the output side of a pub/sub component.
public protocol OutputBinding: Sendable {
    var operations: [String] { get }
    func invoke(operation: String, data: [UInt8], metadata: [String: String]) async throws(BuildingBlockError)
        -> BindingResponse
}
