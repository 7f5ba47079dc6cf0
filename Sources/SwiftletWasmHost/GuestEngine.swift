import SwiftletABI

/// The engines Swiftlet can run a component on.
public enum EngineKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// WasmKit's interpreter: pure Swift, no native dependency, always available.
    case wasmkit
    /// Wasmtime's compiler, through its C API, when its library is installed.
    case wasmtime

    public var description: String { rawValue }
}

/// The seam between Swiftlet and an execution engine.
///
/// A tier compiles modules, makes instances, calls exports, stops a call from another
/// thread, meters fuel and exposes linear memory. Everything a guest can observe — the
/// `swiftlet_v1` host functions, the WASI policy, CGI, pools and limits — is written once
/// above it, so a guest behaves the same on every tier.
public protocol GuestEngine: Sendable {
    var kind: EngineKind { get }
    /// Validates and compiles a module once; instances are made from the result. Imports
    /// Swiftlet does not provide are refused here, naming the import.
    /// - Parameter meterFuel: whether calls will carry a fuel budget (a tier may compile
    ///   metering in only when asked).
    func loadModule(bytes: [UInt8], name: String, meterFuel: Bool) throws(ModuleLoadError) -> any GuestModule
}

/// A compiled, validated module, shared by all its instances.
public protocol GuestModule: Sendable {
    var name: String { get }
    var engine: EngineKind { get }
    /// Whether the module exports `name` as a function.
    func exportsFunction(_ name: String) -> Bool
    /// Whether the module imports `name` from the `swiftlet_v1` module.
    func importsHostFunction(_ name: String) -> Bool
    /// Creates an instance whose host calls read `session`.
    /// - Parameter prepareAhead: do all one-time work now (the instance is made off the
    ///   request path) rather than on first use.
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
    /// Bytes the guest may write into files over the instance's life (a sandbox's scratch
    /// directory); nil leaves writes to the mounts' own permissions.
    public var fileWriteQuota: UInt64?

    public init(
        memoryLimit: Int, mounts: [DirectoryMount] = [], inheritStdio: Bool = false,
        startupTimeoutNanoseconds: UInt64 = 10_000_000_000, census: InstanceCensus = InstanceCensus(),
        fileWriteQuota: UInt64? = nil
    ) {
        self.fileWriteQuota = fileWriteQuota
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

/// One instance: its own store, memory and session. Used by one thread at a time, except
/// ``interrupt()``, which any thread may call.
public protocol GuestInstance: AnyObject, Sendable {
    var session: GuestSession { get }
    /// Current linear memory size in bytes.
    var memoryByteCount: Int { get }
    /// Calls `entry` until it returns, traps or is interrupted. `fuel` is the budget (none:
    /// unmetered); `deadline` (``MonotonicClock`` nanoseconds) is for host calls that could
    /// block past it — stopping a running guest at the deadline is ``interrupt()``'s job.
    func call(_ entry: GuestEntry, fuel: UInt64?, deadline: UInt64?) throws(GuestTrap) -> GuestCallResult
    /// Asks the call in progress to stop as soon as it can. Safe from any thread and
    /// idempotent; a no-op when no call runs.
    func interrupt()
    /// Releases host resources (open preopens). Idempotent.
    func close()
}

/// What a call that ran to its end returned.
public struct GuestCallResult: Sendable {
    /// The export's `i32` result, or 0 for one without.
    public var value: Int32
    /// Fuel the call used, when the call was metered.
    public var fuelConsumed: UInt64

    public init(value: Int32, fuelConsumed: UInt64) {
        self.value = value
        self.fuelConsumed = fuelConsumed
    }
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
