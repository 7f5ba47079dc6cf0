@_spi(Fuzzing) import WasmKit
import SwiftletABI
import SwiftletWasmHost

/// A WasmKit store and instance with its host link and limits.
///
/// `@unchecked Sendable` because pools hand instances between worker threads; an instance
/// is only ever used by one thread at a time and the pools' locks order the hand-over.
/// ``interrupt()`` is the exception, safe from any thread.
final class WasmKitInstance: GuestInstance, @unchecked Sendable {
    let session: GuestSession
    private let store: Store
    private let link: InstanceLink<Memory>
    private let limiter: MemoryLimiter
    private let interruption = WasmKitInterruption()
    private let fuelCounter: UnsafeMutablePointer<UInt64>
    private let handler: Function?
    private let start: Function?
    private var stack: ExecutionStack?
    private var closed = false

    init(module: WasmKitModule, options: InstanceOptions, session: GuestSession, engine: Engine) throws(GuestFailure) {
        self.session = session
        store = Store(engine: engine)
        fuelCounter = WasmKitFuelCounter.address(in: store)
        link = try InstanceLink(plan: module.plan, options: options, session: session)
        // The census account lives as long as the store (through the limiter) and the host
        // functions (through the link), so it sees a leak of either.
        limiter = MemoryLimiter(limit: options.memoryLimit, account: link.account)
        store.resourceLimiter = limiter

        var imports = Imports()
        for (index, binding) in module.plan.bindings.enumerated() {
            imports.define(
                module: binding.module, name: binding.name, Self.hostFunction(index, binding.type, link: link, store: store))
        }
        // A start function or `_initialize` is guest code too: bound it like a request.
        let startup = Startup(
            store: store, interruption: interruption, counter: fuelCounter, timeout: options.startupTimeoutNanoseconds)
        let instance: Instance
        do {
            instance = try startup.run { [store] in try module.module.instantiate(store: store, imports: imports) }
        } catch {
            link.close()
            if limiter.refused.load(ordering: .relaxed) {
                throw GuestFailure(
                    .memoryLimit, "\(module.name) needs more initial memory than its limit of \(options.memoryLimit) bytes")
            }
            throw GuestFailure(.instantiation, "cannot instantiate \(module.name): \(Self.firstLine(of: error))")
        }
        link.memory = instance.exports[memory: "memory"]
        handler = instance.exports[function: SwiftletImportModule.handlerExport]
        start = instance.exports[function: "_start"]
        // A WASI reactor runs its constructors once; per-request calls come after.
        if let initialize = instance.exports[function: "_initialize"] {
            do {
                _ = try startup.run { try initialize.invoke() }
            } catch {
                link.close()
                throw GuestFailure(.instantiation, "\(module.name): _initialize failed: \(Self.firstLine(of: error))")
            }
        }
    }

    deinit {
        close()
    }

    var memoryByteCount: Int { link.memory?.byteCount ?? 0 }

    func close() {
        guard !closed else { return }
        closed = true
        // The cached `Memory` holds the store's allocator, which holds the host functions,
        // which hold the link: a cycle that kept every instance's linear memory alive for
        // good. Closing the link drops the memory and breaks it.
        link.close()
        stack = nil
    }

    func interrupt() {
        interruption.interrupt()
    }

    func call(_ entry: GuestEntry, fuel: UInt64?, deadline: UInt64?) throws(GuestTrap) -> GuestCallResult {
        let function: Function
        switch entry {
        case .handler:
            guard let handler else {
                throw GuestTrap(.other, "the module does not export \(SwiftletImportModule.handlerExport)")
            }
            function = handler
        case .command:
            guard let start else { throw GuestTrap(.other, "the module does not export _start") }
            function = start
        }
        // Without a budget the store still gets one, effectively infinite, so an interrupt
        // has fuel to take away.
        let budget = fuel ?? UInt64.max / 2
        store.fuel = Fuel(remaining: budget)
        link.deadline = deadline
        defer { link.deadline = nil }
        if stack == nil { stack = ExecutionStack(engine: store.engine) }
        let outcome = interruption.during(counter: fuelCounter) { Result { try function.invoke([], on: &stack!) } }
        // The interpreter always meters, so the use is known even without a budget.
        let consumed = budget - min(budget, store.fuel?.remaining ?? budget)
        switch outcome {
        case .success(let values):
            if case .i32(let value)? = values.first { return GuestCallResult(value: Int32(bitPattern: value), fuelConsumed: consumed) }
            return GuestCallResult(value: 0, fuelConsumed: consumed)
        case .failure(let error):
            throw trap(error, fuelConsumed: consumed)
        }
    }

    /// Runs instantiation code (start function, `_initialize`) under its own deadline.
    private struct Startup {
        let store: Store
        let interruption: WasmKitInterruption
        let counter: UnsafeMutablePointer<UInt64>
        let timeout: UInt64

        func run<R>(_ body: () throws -> R) throws -> R {
            store.fuel = Fuel(remaining: UInt64.max / 2)
            let watch = Watchdog.shared.watch(deadline: MonotonicClock.now() &+ timeout) { [interruption] in
                interruption.interrupt()
            }
            defer { Watchdog.shared.finish(watch) }
            return try interruption.during(counter: counter, body)
        }
    }

    /// WasmKit reports every trap as text; this is the one place that reads it.
    private func trap(_ error: any Error, fuelConsumed: UInt64) -> GuestTrap {
        let refused = limiter.refused.load(ordering: .relaxed)
        let text = Self.firstLine(of: error)
        let kind: GuestTrap.Kind
        if !(error is Trap) {
            kind = .host(error)
        } else if text.contains("out of fuel") {
            kind = .outOfFuel
        } else if text.contains("call stack exhausted") {
            kind = .stackExhausted
        } else {
            kind = .other
        }
        return GuestTrap(kind, text, memoryRefused: refused, fuelConsumed: fuelConsumed)
    }

    static func firstLine(of error: any Error) -> String {
        let text = String(describing: error)
        let line = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        return line.hasPrefix("Trap: ") ? String(line.dropFirst(6)) : line
    }

    /// One import as a WasmKit host function that hands the call to the link.
    private static func hostFunction(_ index: Int, _ type: FunctionType, link: InstanceLink<Memory>, store: Store)
        -> Function
    {
        let result = type.results.first
        return Function(store: store, parameters: type.parameters, results: type.results) { caller, parameters, results in
            let memory: Memory
            if let cached = link.memory {
                memory = cached
            } else {
                // Before the instance exists (a start function), look the export up.
                guard case .memory(let exported)? = caller.instance?.export("memory") else {
                    throw GuestTrapError("the module does not export \"memory\"")
                }
                memory = exported
            }
            var arguments = HostArguments()
            for position in 0..<parameters.count { arguments[position] = parameters[position].rawBits }
            let value = try link.call(index, memory: memory, arguments)
            if let result { results[0] = Value(rawBits: value, type: result) }
        }
    }
}

/// A host-side reason to fail a call, as text.
struct GuestTrapError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
