import SwiftletABI

/// Hard per-request limits of one component.
public struct ComponentLimits: Sendable, Equatable {
    /// Largest linear memory an instance may have, in bytes; `memory.grow` past it fails
    /// inside the guest.
    public var memoryBytes: Int
    /// Fuel (about one unit per Wasm operator) a single request may burn, or `nil`.
    public var fuel: UInt64?
    /// Wall-clock budget of a single request, in milliseconds.
    public var timeoutMilliseconds: Int
    /// Largest request body accepted; larger ones get 413 before a guest runs.
    public var maxRequestBytes: Int
    /// Largest response body a guest may produce.
    public var maxResponseBytes: Int
    /// Instances of this component running at once.
    public var maxConcurrency: Int
    /// Requests that may wait for a free instance; the next one gets 503.
    public var maxQueue: Int

    public init(
        memoryBytes: Int = 128 << 20,
        fuel: UInt64? = nil,
        timeoutMilliseconds: Int = 30_000,
        maxRequestBytes: Int = 16 << 20,
        maxResponseBytes: Int = 64 << 20,
        maxConcurrency: Int = 16,
        maxQueue: Int = 256
    ) {
        self.memoryBytes = memoryBytes
        self.fuel = fuel
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxRequestBytes = maxRequestBytes
        self.maxResponseBytes = maxResponseBytes
        self.maxConcurrency = maxConcurrency
        self.maxQueue = maxQueue
    }
}

/// When a warm instance is retired instead of serving another request.
public struct RecyclePolicy: Sendable, Equatable {
    /// Requests an instance serves before it is replaced.
    public var maxRequests: Int
    /// Linear memory size past which an instance is replaced after its request.
    public var memoryBytes: Int?

    public init(maxRequests: Int = 10_000, memoryBytes: Int? = nil) {
        self.maxRequests = maxRequests
        self.memoryBytes = memoryBytes
    }
}

/// How a component's instances relate to requests.
public enum Isolation: String, Sendable, Equatable {
    /// Instances are reused across requests (recycled by ``RecyclePolicy``).
    case warm
    /// Every request gets a never-used instance, prepared ahead of demand.
    case fresh
}

/// How a component is invoked.
public enum ExecutorKind: String, Sendable, Equatable {
    /// CGI over WASI: request on stdin and in the environment, response on stdout.
    case wagi
    /// The `swiftlet_v1` ABI: the module exports `swiftlet_handle`.
    case handler
}

/// A host directory visible to the guest.
public struct DirectoryMount: Sendable, Equatable {
    public var hostPath: String
    public var guestPath: String
    public var writable: Bool

    public init(hostPath: String, guestPath: String, writable: Bool = false) {
        self.hostPath = hostPath
        self.guestPath = guestPath
        self.writable = writable
    }
}

/// The engine a component asks for.
public enum EngineChoice: Sendable, Equatable, CustomStringConvertible {
    /// Wasmtime when its library is present, WasmKit otherwise.
    case auto
    case kind(EngineKind)

    public var description: String {
        switch self {
        case .auto: "auto"
        case .kind(let kind): kind.rawValue
        }
    }
}

/// Everything the host needs to run one component.
public struct ComponentConfiguration: Sendable {
    public var id: String
    /// Path of the `.wasm` file.
    public var modulePath: String
    /// The tier to run on.
    public var engine: EngineChoice
    public var executor: ExecutorKind
    public var isolation: Isolation
    public var environment: [String: String]
    public var arguments: [String]
    public var mounts: [DirectoryMount]
    public var limits: ComponentLimits
    public var recycle: RecyclePolicy
    /// Never-used instances kept ready for `fresh` isolation and WAGI.
    public var prewarm: Int
    /// Building blocks, outbound HTTP and invocation for this component's guests.
    public var services: (any GuestServices)?

    public init(
        id: String, modulePath: String, engine: EngineChoice = .auto, executor: ExecutorKind, isolation: Isolation = .warm,
        environment: [String: String] = [:], arguments: [String] = [], mounts: [DirectoryMount] = [],
        limits: ComponentLimits = ComponentLimits(), recycle: RecyclePolicy = RecyclePolicy(),
        prewarm: Int = 2, services: (any GuestServices)? = nil
    ) {
        self.services = services
        self.id = id
        self.modulePath = modulePath
        self.engine = engine
        self.executor = executor
        self.isolation = isolation
        self.environment = environment
        self.arguments = arguments
        self.mounts = mounts
        self.limits = limits
        self.recycle = recycle
        self.prewarm = prewarm
    }
}
