@_spi(Fuzzing) import WasmKit
import WasmKitWASI
@_spi(WASIPlatform) import WASI
import SwiftletABI

/// State the host functions of one WasmKit instance share.
final class LinkContext {
    let session: GuestSession
    var memory: Memory?
    var readOnly: WASIReadOnlyPolicy
    /// Deadline of the run in progress, for host calls that could block past it.
    var deadline: UInt64?
    /// Held only to tie the instance's census entry to the host functions' lifetime.
    let account: InstanceAccount

    init(session: GuestSession, readOnly: WASIReadOnlyPolicy, account: InstanceAccount) {
        self.session = session
        self.readOnly = readOnly
        self.account = account
    }

    /// The instance's memory; before `memory` is cached (a start function), it is looked up.
    func memory(_ caller: borrowing Caller) throws -> Memory {
        if let memory { return memory }
        guard case .memory(let memory)? = caller.instance?.export("memory") else {
            throw WASIError(description: "the module does not export \"memory\"")
        }
        return memory
    }
}

/// Thrown by a host function that would block past the run's deadline.
struct DeadlineExceeded: Error {}

/// Builds the imports of one instance from a module's ``ImportPlan``.
enum WasmKitLinker {
    static func imports(
        plan: ImportPlan, store: Store, context: LinkContext, wasi: [String: WASIHostFunction<Memory>]
    ) -> Imports {
        var imports = Imports()
        for binding in plan.bindings {
            switch binding {
            case .swiftlet(let name, let index):
                imports.define(
                    module: SwiftletImportModule.name, name: name,
                    swiftletFunction(ImportPlan.swiftletFunctions[index], store: store, context: context))
            case .wasi(let name, let type):
                imports.define(
                    module: ImportPlan.wasiModule, name: name,
                    wasiFunction(name, type: type, implementation: wasi[name], store: store, context: context))
            }
        }
        return imports
    }

    static func swiftletFunction(_ function: SwiftletABI.HostFunction<Memory>, store: Store, context: LinkContext) -> Function {
        let isI64 = function.result == .i64
        return Function(
            store: store, parameters: function.parameters.map(\.wasmKitType), results: [function.result.wasmKitType]
        ) { caller, parameters, results in
            let memory = try context.memory(caller)
            var arguments = HostArguments()
            for index in 0..<parameters.count { arguments[index] = parameters[index].rawBits }
            let value = function.invoke(context.session.call, memory, arguments)
            results[0] = isI64 ? .i64(UInt64(bitPattern: value)) : .i32(UInt32(truncatingIfNeeded: value))
        }
    }

    static func wasiFunction(
        _ name: String, type: FunctionType, implementation: WASIHostFunction<Memory>?, store: Store,
        context: LinkContext
    ) -> Function {
        // Swiftlet serves argv and the environment per call (see WASIArgumentsAndEnvironment).
        switch name {
        case "args_sizes_get", "environ_sizes_get":
            let isArgs = name == "args_sizes_get"
            return Function(store: store, parameters: type.parameters, results: type.results) { caller, parameters, results in
                let memory = try context.memory(caller)
                let entries = isArgs ? context.session.arguments : context.session.environment
                results[0] = .i32(UInt32(bitPattern: WASIArgumentsAndEnvironment.sizes(
                    of: entries, countPointer: parameters[0].rawBits32, sizePointer: parameters[1].rawBits32, in: memory)))
            }
        case "args_get", "environ_get":
            let isArgs = name == "args_get"
            return Function(store: store, parameters: type.parameters, results: type.results) { caller, parameters, results in
                let memory = try context.memory(caller)
                let entries = isArgs ? context.session.arguments : context.session.environment
                results[0] = .i32(UInt32(bitPattern: WASIArgumentsAndEnvironment.get(
                    entries, pointers: parameters[0].rawBits32, buffer: parameters[1].rawBits32, in: memory)))
            }
        default:
            break
        }
        guard let implementation else {
            // Known signature but no implementation in this WASI layer: behave like a stub.
            return Function(store: store, parameters: type.parameters, results: type.results) { _, _, results in
                for index in 0..<results.count { results[index] = .i32(52) }  // ENOSYS
            }
        }
        let ranges = WASIPointerGuard.ranges(for: name)
        let policed = WASIReadOnlyPolicy.concerns(name)
        let isPoll = name == "poll_oneoff"
        return Function(store: store, parameters: type.parameters, results: type.results) { caller, parameters, results in
            let memory = try context.memory(caller)
            var arguments = HostArguments()
            for index in 0..<parameters.count { arguments[index] = parameters[index].rawBits }
            if let ranges, !WASIPointerGuard.isValid(ranges, arguments, in: memory) {
                results[0] = .i32(UInt32(WASIPointerGuard.efault))
                return
            }
            if policed, let errno = context.readOnly.check(name, arguments) {
                results[0] = .i32(UInt32(errno))
                return
            }
            if isPoll, let deadline = context.deadline,
                let sleep = WASIPoll.clockOnlyTimeout(arguments, in: memory),
                MonotonicClock.now() &+ sleep > deadline
            {
                throw DeadlineExceeded()
            }
            let values = try implementation.implementation(memory, Array(parameters))
            for index in 0..<values.count { results[index] = values[index] }
            if policed, case .i32(let errno)? = values.first {
                context.readOnly.record(name, arguments, errno: Int32(bitPattern: errno), memory: memory)
            }
        }
    }
}

extension Value {
    var rawBits32: UInt32 { UInt32(truncatingIfNeeded: rawBits) }
}
