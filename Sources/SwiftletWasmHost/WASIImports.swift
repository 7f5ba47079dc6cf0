@_spi(WASIPlatform) import WASI
import SwiftletABI
import WasmTypes

/// One instance's WASI preview 1: WasmKit's engine-neutral implementation (its descriptor
/// table, preopens and file system access) under Swiftlet's policy, the same on every tier.
///
/// Around each call, in order: argv and the environment served per call; every guest
/// pointer checked (`EFAULT`); read-only mounts enforced (`EROFS`); a sleep past the
/// deadline refused; and the behaviours the WASI test suite expects where WasmKit 0.4.2
/// differs (see ``WASISynchronizedIO`` and the symlink and `fd_allocate` rules below).
final class WASIImports<Memory: GuestMemoryView & GuestMemory & SendableMetatype> {
    private let bridge: WASIBridgeToHost
    /// Per plan binding (nil for `swiftlet_v1` bindings).
    private let entries: [Entry?]
    private var readOnly: WASIReadOnlyPolicy
    private var synchronized = WASISynchronizedIO()
    /// Bytes the guest may still write into files (nil: no cap beyond the mounts').
    private var quota: WASIWriteQuota?
    /// Calls the policy makes on the guest's behalf (`fd_sync` after a synchronized write).
    private let sync: WASIHostFunction<Memory>?
    private let datasync: WASIHostFunction<Memory>?
    /// The same descriptors seen through host-side scratch memory, for questions the
    /// policy asks without touching the guest's memory (is this descriptor a directory?).
    private lazy var fdstat: WASIHostFunction<ScratchMemory>? =
        bridge.hostFunctions(capabilities: WASICapability<ScratchMemory>.all)["fd_fdstat_get"]

    private struct Entry {
        let name: String
        let type: FunctionType
        let function: WASIHostFunction<Memory>
        let ranges: [WASIPointerGuard.Range]?
        let policed: Bool
        let special: WASISpecialFunctions.Kind?
    }


    init(plan: ImportPlan, options: InstanceOptions, session: GuestSession) throws(GuestFailure) {
        readOnly = WASIReadOnlyPolicy(
            readOnlyDescriptors: Set(options.mounts.enumerated().filter { !$0.element.writable }.map { UInt32(3 + $0.offset) }))
        quota = options.fileWriteQuota.map { WASIWriteQuota(limit: $0) }
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
            bridge = try WASIBridgeToHost(args: [], environment: [:], fileSystem: fileSystem.withPreopens(preopens))
        } catch {
            throw GuestFailure(.instantiation, "cannot prepare WASI: \(error)")
        }
        let all = WASICapability<Memory>.all
        let functions = bridge.hostFunctions(capabilities: plan.wasiCapabilities.map { all[$0] }, stubUnlinked: false)
        sync = functions["fd_sync"]
        datasync = functions["fd_datasync"]
        entries = plan.bindings.map { binding -> Entry? in
            guard case .wasi(let name, let type) = binding, let function = functions[name] else { return nil }
            return Entry(
                name: name, type: type, function: function, ranges: WASIPointerGuard.ranges(for: name),
                policed: WASIReadOnlyPolicy.concerns(name), special: WASISpecialFunctions.table[name])
        }
    }


    /// Whether binding `index` is a WASI function this layer implements.
    func implements(_ index: Int) -> Bool { entries[index] != nil }

    func call(_ index: Int, memory: Memory, _ arguments: HostArguments, session: GuestSession, deadline: UInt64?)
        throws -> UInt64
    {
        guard let entry = entries[index] else { return Self.errno(.ENOSYS) }
        switch entry.special {
        case .argumentSizes, .environmentSizes:
            let entries = entry.special == .argumentSizes ? session.arguments : session.environment
            return Self.raw(WASIArgumentsAndEnvironment.sizes(
                of: entries, countPointer: arguments.u32(0), sizePointer: arguments.u32(1), in: memory))
        case .arguments, .environment:
            let entries = entry.special == .arguments ? session.arguments : session.environment
            return Self.raw(WASIArgumentsAndEnvironment.get(
                entries, pointers: arguments.u32(0), buffer: arguments.u32(1), in: memory))
        default:
            break
        }
        if let ranges = entry.ranges, !WASIPointerGuard.isValid(ranges, arguments, in: memory) {
            return Self.raw(WASIPointerGuard.efault)
        }
        if entry.policed, let errno = readOnly.check(entry.name, arguments) {
            return Self.raw(errno)
        }
        let requested = arguments
        var arguments = arguments
        switch entry.special {
        case .poll:
            if let deadline, let sleep = WASIPoll.clockOnlyTimeout(arguments, in: memory), MonotonicClock.now() &+ sleep > deadline {
                throw DeadlineExceeded()
            }
        case .symlink:
            // A link to an absolute path names the host's file system, never the guest's:
            // refused as Wasmtime does. (WasmKit refuses to follow one, but creates it.)
            if arguments.u32(1) > 0, (try? memory.readBytes(arguments.u32(0), 1))?.first == UInt8(ascii: "/") {
                return Self.errno(.EPERM)
            }
        case .allocate:
            // fd_allocate on a directory is a bad descriptor, not an unsupported operation.
            if isDirectory(arguments.u32(0)) { return Self.errno(.EBADF) }
            if let quota {
                let (end, overflow) = arguments[1].addingReportingOverflow(arguments[2])
                if overflow || !quota.allowsFile(ofSize: end) { return Self.raw(WASIWriteQuota.enospc) }
            }
        case .setSize:
            if let quota, !quota.allowsFile(ofSize: arguments[1]) { return Self.raw(WASIWriteQuota.enospc) }
        case .write:
            if let quota, arguments.u32(0) > 2 {
                guard let requested = WASIWriteQuota.requestedBytes(iovs: arguments.u32(1), count: arguments.u32(2), in: memory),
                    quota.admits(requested)
                else { return Self.raw(WASIWriteQuota.enospc) }
            }
        case .open, .setFlags:
            // WasmKit drops the synchronized-I/O flags; Swiftlet keeps them itself.
            arguments[entry.special == .open ? 7 : 1] &= ~WASISynchronizedIO.flags
        default:
            break
        }
        let errno = try invoke(entry, memory: memory, arguments)
        guard errno == 0 else { return errno }
        if entry.policed {
            readOnly.record(entry.name, arguments, errno: 0, memory: memory)
        }
        switch entry.special {
        case .open:
            if let opened = try? memory.readUInt32(arguments.u32(8)) {
                synchronized.opened(opened, fdflags: requested[7])
            }
        case .setFlags:
            synchronized.set(arguments.u32(0), fdflags: requested[1])
        case .fdstat:
            if let flags = synchronized.flags(of: arguments.u32(0)) {
                let pointer = arguments.u32(1) &+ 2
                if let current = try? memory.withBytes(pointer, 2, { UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self)) }) {
                    try? memory.withBytes(pointer, 2) { $0.storeBytes(of: (current | flags).littleEndian, as: UInt16.self) }
                }
            }
        case .write:
            if quota != nil, arguments.u32(0) > 2 {
                // fd_write's count pointer is its fourth argument, fd_pwrite's its fifth.
                let written = entry.name == "fd_write" ? arguments.u32(3) : arguments.u32(4)
                quota?.spend(UInt64((try? memory.readUInt32(written)) ?? 0))
            }
            if let flags = synchronized.flags(of: arguments.u32(0)) {
                let flush = flags & WASISynchronizedIO.syncFlag != 0 ? sync : datasync
                if let flush {
                    var descriptor = HostArguments()
                    descriptor[0] = arguments[0]
                    return try invoke(flush, type: FunctionType(parameters: [.i32], results: [.i32]), memory: memory, descriptor)
                }
            }
        case .close:
            synchronized.closed(arguments.u32(0))
        case .renumber:
            synchronized.renumbered(arguments.u32(0), to: arguments.u32(1))
        default:
            break
        }
        return 0
    }

    private func invoke(_ entry: Entry, memory: Memory, _ arguments: HostArguments) throws -> UInt64 {
        try invoke(entry.function, type: entry.type, memory: memory, arguments)
    }

    private func invoke<M>(_ function: WASIHostFunction<M>, type: FunctionType, memory: M, _ arguments: HostArguments)
        throws -> UInt64
    {
        var values: [Value] = []
        values.reserveCapacity(type.parameters.count)
        for (position, parameter) in type.parameters.enumerated() {
            values.append(Value(rawBits: arguments[position], type: parameter))
        }
        return try function.implementation(memory, values).first?.rawBits ?? 0
    }

    /// Whether `descriptor` is an open directory, asked through scratch memory.
    private func isDirectory(_ descriptor: UInt32) -> Bool {
        guard let fdstat else { return false }
        let scratch = ScratchMemory(byteCount: 24)
        var arguments = HostArguments()
        arguments[0] = UInt64(descriptor)
        guard let errno = try? invoke(fdstat, type: FunctionType(parameters: [.i32, .i32], results: [.i32]), memory: scratch, arguments),
            errno == 0
        else { return false }
        return scratch.bytes[0] == WASIAbi.FileType.DIRECTORY.rawValue
    }

    func close() {
        try? bridge.close()
    }

    private static func raw(_ errno: Int32) -> UInt64 { UInt64(UInt32(bitPattern: errno)) }
    private static func errno(_ errno: WASIAbi.Errno) -> UInt64 { UInt64(errno.rawValue) }
}

/// The WASI functions the policy does something particular for.
enum WASISpecialFunctions {
    enum Kind {
        /// Swiftlet serves argv and the environment per call (see WASIArgumentsAndEnvironment).
        case argumentSizes, environmentSizes, arguments, environment
        case poll
        case symlink
        case allocate, setSize
        case open, fdstat, setFlags, write, close, renumber
    }

    static let table: [String: Kind] = [
        "args_sizes_get": .argumentSizes, "environ_sizes_get": .environmentSizes, "args_get": .arguments,
        "environ_get": .environment, "poll_oneoff": .poll, "path_symlink": .symlink, "fd_allocate": .allocate,
        "path_open": .open, "fd_fdstat_get": .fdstat, "fd_fdstat_set_flags": .setFlags, "fd_write": .write,
        "fd_pwrite": .write, "fd_close": .close, "fd_renumber": .renumber, "fd_filestat_set_size": .setSize,
    ]
}

/// `O_SYNC`, `O_DSYNC` and `O_RSYNC`, which WasmKit 0.4.2 accepts and drops: Swiftlet
/// remembers them per descriptor, reports them from `fd_fdstat_get`, and makes every write
/// through such a descriptor durable with `fd_sync` / `fd_datasync` before it returns.
struct WASISynchronizedIO {
    static let dsyncFlag: UInt16 = 1 << 1
    static let rsyncFlag: UInt16 = 1 << 3
    static let syncFlag: UInt16 = 1 << 4
    static let flags = UInt64(dsyncFlag | rsyncFlag | syncFlag)

    private var descriptors: [UInt32: UInt16] = [:]

    func flags(of descriptor: UInt32) -> UInt16? { descriptors[descriptor] }

    mutating func opened(_ descriptor: UInt32, fdflags: UInt64) {
        set(descriptor, fdflags: fdflags)
    }

    mutating func set(_ descriptor: UInt32, fdflags: UInt64) {
        let flags = UInt16(truncatingIfNeeded: fdflags & Self.flags)
        descriptors[descriptor] = flags == 0 ? nil : flags
    }

    mutating func closed(_ descriptor: UInt32) {
        descriptors[descriptor] = nil
    }

    mutating func renumbered(_ from: UInt32, to: UInt32) {
        descriptors[to] = descriptors.removeValue(forKey: from)
    }
}

/// Host memory standing in for a guest's, for WASI calls the policy makes itself.
final class ScratchMemory: GuestMemory, GuestMemoryView {
    var bytes: [UInt8]

    init(byteCount: Int) {
        bytes = [UInt8](repeating: 0, count: byteCount)
    }

    var byteCount: Int { bytes.count }

    func withUncheckedBytes<R>(offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeMutableBytes { try body(UnsafeMutableRawBufferPointer(rebasing: $0[offset..<offset + count])) }
    }

    func withUnsafeMutableBufferPointer<T>(offset: UInt, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T)
        rethrows -> T
    {
        try withUncheckedBytes(offset: Int(offset), count: count, body)
    }
}
