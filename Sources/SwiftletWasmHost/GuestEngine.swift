import SwiftletABI

/// The seam between Swiftlet and an execution engine.
///
/// WasmKit's interpreter is the tier today; an ahead-of-time tier (wasm2c + clang) can
/// implement the same three protocols. Host functions are engine-neutral already: they are
/// written over ``GuestMemoryView`` in `SwiftletABI`.
public protocol GuestEngine: Sendable {
    /// Parses and validates a module once; instances are made from the result.
    func loadModule(bytes: [UInt8], name: String) throws(ModuleLoadError) -> any GuestModule
}

/// A parsed, validated module, shared by all its instances.
public protocol GuestModule: Sendable {
    var name: String { get }
    /// Whether the module exports `name` as a function.
    func exportsFunction(_ name: String) -> Bool
    /// Whether the module imports `name` from the `swiftlet_v1` module.
    func importsHostFunction(_ name: String) -> Bool
    /// Creates an instance whose host calls read `session`.
    /// - Parameter prepareAhead: translate all code now (for instances made off the
    ///   request path), instead of on first call.
    func instantiate(_ options: InstanceOptions, session: GuestSession, prepareAhead: Bool) throws(GuestFailure)
        -> any GuestInstance
}

/// Settings fixed when an instance is created.
public struct InstanceOptions: Sendable {
    public var memoryLimit: Int
    public var mounts: [DirectoryMount]
    /// Give the guest the process's own stdin/stdout/stderr (`swiftlet run`) instead of the
    /// session's per-call streams.
    public var inheritStdio: Bool
    /// Budget for the module's start function and `_initialize`.
    public var startupTimeoutNanoseconds: UInt64
    /// Where the instance is counted until its engine state is freed.
    public var census: InstanceCensus

    public init(
        memoryLimit: Int, mounts: [DirectoryMount] = [], inheritStdio: Bool = false,
        startupTimeoutNanoseconds: UInt64 = 10_000_000_000, census: InstanceCensus = InstanceCensus()
    ) {
        self.memoryLimit = memoryLimit
        self.mounts = mounts
        self.inheritStdio = inheritStdio
        self.startupTimeoutNanoseconds = startupTimeoutNanoseconds
        self.census = census
    }
}

/// Which export a run starts at.
public enum GuestEntry: Sendable {
    /// `_start` of a WASI command; the result is its exit code.
    case command
    /// `swiftlet_handle` of a handler module; the result is its return value.
    case handler
}

/// One instance: its own store, memory and session. Used by one thread at a time.
public protocol GuestInstance: AnyObject, Sendable {
    var session: GuestSession { get }
    /// Current linear memory size in bytes.
    var memoryByteCount: Int { get }
    /// Fuel the last run used (0 when unknown, or when the deadline took the rest away).
    var fuelConsumed: UInt64 { get }
    /// Runs `entry` under a fuel budget and a monotonic deadline (nanoseconds).
    func run(_ entry: GuestEntry, fuel: UInt64?, deadline: UInt64?) throws(GuestFailure) -> Int32
    /// Releases host resources (open preopens). Idempotent.
    func close()
}

/// A module that cannot be used, with the reason.
public struct ModuleLoadError: Error, Sendable, CustomStringConvertible {
    public let module: String
    public let reason: String

    public init(module: String, reason: String) {
        self.module = module
        self.reason = reason
    }

    public var description: String { "\(module): \(reason)" }
}
