@_spi(WASIPlatform) import WASI
import SwiftletABI
import SwiftletCore
import WasmTypes

/// What one instance's imports do, written once for every tier: a tier hands each host call
/// to ``call(_:memory:_:)`` with the instance's memory and the raw argument bits.
///
/// Holds the per-instance state host functions share: the session, the run's deadline and
/// the instance's WASI (``WASIImports``). Thread-confined like its instance.
public final class InstanceLink<Memory: GuestMemoryView & GuestMemory & SendableMetatype>: @unchecked Sendable {
    public let session: GuestSession
    public let plan: ImportPlan
    /// The instance's memory, once the tier knows it. Cleared by ``close()``: an engine's
    /// memory handle may keep the whole store alive.
    public var memory: Memory?
    /// Deadline of the run in progress, for host calls that could block past it.
    public var deadline: UInt64?
    /// The instance's census entry; tiers report memory sizes to it and keep it alive as
    /// long as their engine state.
    public let account: InstanceAccount
    private let wasi: WASIImports<Memory>?
    /// The `swiftlet_v1` functions over this memory type, made once per process.
    private let swiftlet: [SwiftletABI.HostFunction<Memory>]

    public init(plan: ImportPlan, options: InstanceOptions, session: GuestSession) throws(GuestFailure) {
        self.plan = plan
        self.session = session
        account = options.census.open()
        swiftlet = SwiftletFunctionTable.functions(Memory.self)
        wasi = plan.usesWASI ? try WASIImports(plan: plan, options: options, session: session) : nil
    }

    /// Runs import `index` of the plan. Returns the result's raw bits (ignored for a function
    /// without results); a thrown error fails the whole guest call.
    @inline(__always)
    public func call(_ index: Int, memory: Memory, _ arguments: HostArguments) throws -> UInt64 {
        switch plan.bindings[index] {
        case .swiftlet(_, let function):
            let value = swiftlet[function].invoke(session.call, memory, arguments)
            return UInt64(bitPattern: value)
        case .wasi:
            guard let wasi else { return 52 }  // ENOSYS; unreachable: a WASI binding means WASI exists
            return try wasi.call(index, memory: memory, arguments, session: session, deadline: deadline)
        }
    }

    /// Drops what ties the link to the engine and closes the WASI descriptors. Idempotent.
    public func close() {
        memory = nil
        wasi?.close()
    }
}

/// `swiftlet_v1` functions per memory type: a generic class cannot have a static stored
/// property, and building the list for every instance would cost each fresh instance.
enum SwiftletFunctionTable {
    private static let tables = Locked<[ObjectIdentifier: Any]>([:])

    static func functions<Memory: GuestMemoryView>(_: Memory.Type) -> [SwiftletABI.HostFunction<Memory>] {
        tables.withLock { tables in
            if let table = tables[ObjectIdentifier(Memory.self)] as? [SwiftletABI.HostFunction<Memory>] { return table }
            let table = SwiftletImportModule.functions(Memory.self)
            tables[ObjectIdentifier(Memory.self)] = table
            return table
        }
    }
}

extension Value {
    /// A value of `type` from its raw bits (the representation tiers pass arguments in).
    public init(rawBits: UInt64, type: ValueType) {
        switch type {
        case .i32: self = .i32(UInt32(truncatingIfNeeded: rawBits))
        case .i64: self = .i64(rawBits)
        case .f32: self = .f32(UInt32(truncatingIfNeeded: rawBits))
        case .f64: self = .f64(rawBits)
        default: self = .i64(rawBits)
        }
    }

    /// The value's bits, for engine-neutral host functions that take raw arguments.
    public var rawBits: UInt64 {
        switch self {
        case .i32(let value): UInt64(value)
        case .i64(let value): value
        case .f32(let value): UInt64(value)
        case .f64(let value): value
        default: 0
        }
    }
}
