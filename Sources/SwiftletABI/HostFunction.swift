/// A Wasm value type used in host function signatures.
public enum ABIValueType: Sendable { case i32, i64 }

/// Up to twelve raw argument values of one host call, read by position.
public struct HostArguments {
    @usableFromInline var values: InlineArray<12, UInt64>

    public init() { values = InlineArray(repeating: 0) }

    @inlinable public subscript(index: Int) -> UInt64 {
        get { values[index] }
        set { values[index] = newValue }
    }

    /// Argument `index` as an unsigned 32-bit value (pointers and lengths).
    @inlinable public func u32(_ index: Int) -> UInt32 { UInt32(truncatingIfNeeded: values[index]) }
    /// Argument `index` as a signed 32-bit value.
    @inlinable public func i32(_ index: Int) -> Int32 { Int32(truncatingIfNeeded: values[index]) }
    /// Argument `index` as a signed 64-bit value.
    @inlinable public func i64(_ index: Int) -> Int64 { Int64(bitPattern: values[index]) }
}

/// A function of the `swiftlet_v1` import module, written once over ``GuestMemoryView`` so
/// any engine tier can bind it.
///
/// The body returns the function's result; a thrown ``ABIError`` becomes its negative
/// status. Every result is an `i32` except where ``result`` says `i64`.
public struct HostFunction<Memory: GuestMemoryView>: Sendable {
    /// The import module: `swiftlet_v1`, or another interface Swiftlet implements
    /// (`wasi_ephemeral_nn`).
    public let module: String
    public let name: String
    public let parameters: [ABIValueType]
    public let result: ABIValueType
    public let body: @Sendable (GuestCall, Memory, HostArguments) throws(ABIError) -> Int64

    public init(
        _ name: String, _ parameters: [ABIValueType], result: ABIValueType = .i32, module: String = SwiftletImportModule.name,
        body: @escaping @Sendable (GuestCall, Memory, HostArguments) throws(ABIError) -> Int64
    ) {
        self.module = module
        self.name = name
        self.parameters = parameters
        self.result = result
        self.body = body
    }

    /// Runs the body and folds errors into the status convention.
    public func invoke(_ call: GuestCall?, _ memory: Memory, _ arguments: HostArguments) -> Int64 {
        guard let call else { return Int64(ABIStatus.badState.rawValue) }
        if call.isPastDeadline { return Int64(ABIStatus.timeout.rawValue) }
        do {
            return try body(call, memory, arguments)
        } catch {
            if error.status == .fault, !call.faults.contains(name) { call.faults.append(name) }
            return Int64(error.status.rawValue)
        }
    }
}

/// The versioned import module guests link against.
public enum SwiftletImportModule {
    /// Import module name; a breaking change gets a new version beside this one.
    public static let name = "swiftlet_v1"
    /// Export a handler module provides; returns 0 on success.
    public static let handlerExport = "swiftlet_handle"

    /// Every host function Swiftlet provides (`swiftlet_v1` and `wasi_ephemeral_nn`), for one
    /// memory type.
    public static func functions<Memory: GuestMemoryView>(_: Memory.Type = Memory.self) -> [HostFunction<Memory>] {
        HTTPHostFunctions<Memory>.all + StateHostFunctions<Memory>.all + MessagingHostFunctions<Memory>.all
            + InferenceHostFunctions<Memory>.all + NeuralNetworkHostFunctions<Memory>.all
    }
}
