/// A parsed `swiftlet.yaml`: the app, its components and their triggers (docs/manifest.md).
public struct AppManifest: Sendable {
    /// Absolute path of the manifest file.
    public var file: String
    /// Directory the manifest's relative paths are resolved against.
    public var directory: String
    public var name: String
    public var version: String
    public var description: String?
    /// Components in the order they appear in the file.
    public var components: [ComponentManifest]
    public var httpRoutes: [HTTPRouteManifest]
    public var pubsubTriggers: [PubSubTriggerManifest] = []
    public var bindingTriggers: [BindingTriggerManifest] = []
    /// Tools agents call over MCP, in file order.
    public var tools: [ToolManifest] = []

    public func component(_ id: String) -> ComponentManifest? {
        components.first { $0.id == id }
    }
}

/// Where a value came from in the manifest, for errors found after parsing.
public struct ManifestLocation: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var field: String

    public init(file: String, line: Int, column: Int, field: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
    }

    /// An error at this location.
    public func error(_ message: String) -> ManifestError {
        ManifestError(file: file, line: line, column: column, field: field, message: message)
    }
}

/// One Wasm component.
public struct ComponentManifest: Sendable {
    public enum Executor: String, Sendable, CaseIterable { case wagi, handler }
    public enum Isolation: String, Sendable, CaseIterable { case warm, fresh }
    public enum Engine: String, Sendable, CaseIterable { case auto, wasmtime, wasmkit }

    public var id: String
    public var description: String?
    /// Absolute path of the `.wasm` module.
    public var source: String
    public var sourceLocation: ManifestLocation
    public var executor: Executor
    public var isolation: Isolation
    /// The engine tier to run on; `auto` picks Wasmtime when its library is installed.
    public var engine: Engine = .auto
    public var environment: [String: String]
    public var args: [String]
    public var files: [FileMount]
    public var dirs: [DirectoryMountManifest]
    /// Hosts outbound HTTP may reach (`https://api.example.com`, `http://*.internal:8080`);
    /// empty means none.
    public var allowedOutboundHosts: [String]
    /// Dapr components (by name) the guest may use; anything else is denied.
    public var uses: [String] = []
    /// Where each `uses` entry was written, for "no such component" errors.
    public var usesLocations: [ManifestLocation] = []
    public var limits: LimitsManifest
    public var pool: PoolManifest
    public var build: BuildManifest?
}

/// Read-only content exposed to the guest: a file or a directory from the app.
public struct FileMount: Sendable, Equatable {
    /// Absolute host path.
    public var source: String
    /// Absolute guest path.
    public var destination: String
}

/// A host directory preopened for the guest.
public struct DirectoryMountManifest: Sendable, Equatable {
    public var source: String
    public var destination: String
    public var writable: Bool
}

/// Per-request limits; `nil` means Swiftlet's default.
public struct LimitsManifest: Sendable, Equatable {
    public var memory: Int?
    public var fuel: UInt64?
    public var timeoutMilliseconds: Int?
    public var maxRequestBody: Int?
    public var maxResponseBody: Int?
    public var maxConcurrency: Int?
    public var maxQueue: Int?
    /// Model tokens (prompt and completion) one request may spend; default 4096.
    public var tokens: Int?
}

/// Instance reuse settings.
public struct PoolManifest: Sendable, Equatable {
    public var maxRequests: Int?
    public var recycleMemory: Int?
    public var prewarm: Int?
}

/// How `swiftlet build` produces the module.
public struct BuildManifest: Sendable, Equatable {
    public var command: String
    /// Absolute directory the command runs in.
    public var workdir: String
}

/// An HTTP route bound to a component.
public struct HTTPRouteManifest: Sendable {
    public var route: RoutePattern
    public var component: String
    public var location: ManifestLocation
}

/// Where a trigger sends its events: straight to a component, or through an HTTP route.
public enum EventTarget: Sendable, Equatable {
    case component(String)
    case route(String)
}

/// `triggers.pubsub`: a topic delivered to a component, at least once.
public struct PubSubTriggerManifest: Sendable {
    public var pubsub: String
    public var topic: String
    public var target: EventTarget
    public var deadLetterTopic: String?
    /// Deliveries of this subscription in flight at once.
    public var maxInFlight: Int
    /// Deliveries of one message before it goes to the dead-letter topic (or is dropped).
    public var maxAttempts: Int
    /// First retry delay in seconds; doubles per attempt up to a minute.
    public var retryDelaySeconds: Double
    public var location: ManifestLocation
}

/// `triggers.bindings`: events of an input binding (`bindings.cron`) delivered to a
/// component. Without an entry, a binding's events go to the route `/<binding name>`.
public struct BindingTriggerManifest: Sendable {
    public var binding: String
    public var target: EventTarget
    public var location: ManifestLocation
}
