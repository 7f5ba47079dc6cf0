@_spi(Fuzzing) import WasmKit
import WasmKitWASI
@_spi(WASIPlatform) import WASI
import SwiftletABI

/// A WasmKit store and instance with its WASI bridge and limits.
///
/// `@unchecked Sendable` because pools hand instances between worker threads; an instance
/// is only ever used by one thread at a time and the pools' locks order the hand-over.
final class WasmKitInstance: GuestInstance, @unchecked Sendable {
    let session: GuestSession
    private let store: Store
    private let context: LinkContext
    private let limiter: MemoryLimiter
    private let bridge: WASIBridgeToHost?
    private let handler: Function?
    private let start: Function?
    private var stack: ExecutionStack?
    private var closed = false
    private(set) var fuelConsumed: UInt64 = 0

    init(module: WasmKitModule, options: InstanceOptions, session: GuestSession, engine: Engine) throws(GuestFailure) {
        self.session = session
        store = Store(engine: engine)
        // The account lives as long as the store (through the limiter) and its host
        // functions (through the context), so the census sees a leak of either.
        let account = options.census.open()
        limiter = MemoryLimiter(limit: options.memoryLimit, account: account)
        store.resourceLimiter = limiter
        let readOnlyDescriptors = Set(
            options.mounts.enumerated().filter { !$0.element.writable }.map { UInt32(3 + $0.offset) })
        context = LinkContext(
            session: session, readOnly: WASIReadOnlyPolicy(readOnlyDescriptors: readOnlyDescriptors), account: account)

        var wasiFunctions: [String: WASIHostFunction<Memory>] = [:]
        if module.plan.usesWASI {
            do {
                let preopens = options.mounts.map { WASIBridgeToHost.Preopen(guestPath: $0.guestPath, hostPath: $0.hostPath) }
                var fileSystem = WASIBridgeToHost.FileSystemOptions.host()
                if options.inheritStdio {
                    fileSystem = fileSystem.withStdio()
                } else {
                    fileSystem = fileSystem.withStdio(
                        stdin: SessionStdioFile(session: session, stream: 0),
                        stdout: SessionStdioFile(session: session, stream: 1),
                        stderr: SessionStdioFile(session: session, stream: 2))
                }
                let bridge = try WASIBridgeToHost(args: [], environment: [:], fileSystem: fileSystem.withPreopens(preopens))
                wasiFunctions = bridge.hostFunctions(capabilities: WASICapability.all)
                self.bridge = bridge
            } catch {
                throw GuestFailure(.instantiation, "cannot prepare WASI for \(module.name): \(error)")
            }
        } else {
            bridge = nil
        }

        let imports = WasmKitLinker.imports(plan: module.plan, store: store, context: context, wasi: wasiFunctions)
        // A start function or `_initialize` is guest code too: bound it like a request.
        let store = self.store
        store.fuel = Fuel(remaining: UInt64.max / 2)
        let watch = Watchdog.shared.watch(deadline: MonotonicClock.now() + options.startupTimeoutNanoseconds) {
            store.fuel = Fuel(remaining: 0)
        }
        defer { Watchdog.shared.finish(watch) }
        let instance: Instance
        do {
            instance = try module.module.instantiate(store: store, imports: imports)
        } catch {
            try? bridge?.close()
            if limiter.refused.load(ordering: .relaxed) {
                throw GuestFailure(
                    .memoryLimit, "\(module.name) needs more initial memory than its limit of \(options.memoryLimit) bytes")
            }
            throw GuestFailure(.instantiation, "cannot instantiate \(module.name): \(error)")
        }
        context.memory = instance.exports[memory: "memory"]
        handler = instance.exports[function: SwiftletImportModule.handlerExport]
        start = instance.exports[function: "_start"]
        // A WASI reactor runs its constructors once; per-request calls come after.
        if let initialize = instance.exports[function: "_initialize"] {
            do {
                _ = try initialize.invoke()
            } catch {
                context.memory = nil
                try? bridge?.close()
                throw GuestFailure(.instantiation, "\(module.name): _initialize failed: \(Self.firstLine(of: error))")
            }
        }
    }

    deinit {
        close()
    }

    var memoryByteCount: Int { context.memory?.byteCount ?? 0 }

    func close() {
        guard !closed else { return }
        closed = true
        // The cached `Memory` holds the store's allocator, which holds the host functions,
        // which hold this context: a cycle that kept every instance's linear memory alive
        // for good. Dropping the cache breaks it.
        context.memory = nil
        stack = nil
        try? bridge?.close()
    }

    func run(_ entry: GuestEntry, fuel: UInt64?, deadline: UInt64?) throws(GuestFailure) -> Int32 {
        let function: Function
        switch entry {
        case .handler:
            guard let handler else {
                throw GuestFailure(.instantiation, "the module does not export \(SwiftletImportModule.handlerExport)")
            }
            function = handler
        case .command:
            guard let start else { throw GuestFailure(.instantiation, "the module does not export _start") }
            function = start
        }
        // Without a budget the store still gets one, effectively infinite, so the watchdog
        // has fuel to take away.
        let budget = fuel ?? UInt64.max / 2
        store.fuel = Fuel(remaining: budget)
        context.deadline = deadline
        let store = self.store
        let watch = deadline.map { deadline in
            Watchdog.shared.watch(deadline: deadline) { store.fuel = Fuel(remaining: 0) }
        }
        if stack == nil { stack = ExecutionStack(engine: store.engine) }
        let outcome = Result { try function.invoke([], on: &stack!) }
        let timedOut = watch.map { Watchdog.shared.finish($0) } ?? false
        context.deadline = nil
        // The watchdog stops a guest by emptying its tank: what is left then says nothing.
        fuelConsumed = timedOut ? 0 : budget - min(budget, store.fuel?.remaining ?? budget)
        switch outcome {
        case .success(let values):
            if case .i32(let value)? = values.first { return Int32(bitPattern: value) }
            return 0
        case .failure(let error):
            if let exit = error as? WASIExitCode { return Int32(bitPattern: exit.code) }
            throw classify(error, timedOut: timedOut, fuel: fuel)
        }
    }

    /// Names the limit behind a failure where there is one; WasmKit reports all of them as
    /// traps whose reason is only available as text.
    private func classify(_ error: any Error, timedOut: Bool, fuel: UInt64?) -> GuestFailure {
        let text = Self.firstLine(of: error)
        if error is DeadlineExceeded || (timedOut && text.contains("out of fuel")) {
            return GuestFailure(.timeout, "the guest ran past its deadline")
        }
        if text.contains("out of fuel") {
            return GuestFailure(.fuelExhausted, "the guest used up its fuel budget of \(fuel ?? 0)")
        }
        if limiter.refused.load(ordering: .relaxed) {
            return GuestFailure(
                .memoryLimit, "the guest hit its memory limit of \(limiter.limit) bytes and then failed: \(text)")
        }
        if text.contains("call stack exhausted") {
            return GuestFailure(.trap, "call stack exhausted (unbounded recursion?)")
        }
        return GuestFailure(.trap, text)
    }

    static func firstLine(of error: any Error) -> String {
        let text = String(describing: error)
        let line = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        return line.hasPrefix("Trap: ") ? String(line.dropFirst(6)) : line
    }
}
