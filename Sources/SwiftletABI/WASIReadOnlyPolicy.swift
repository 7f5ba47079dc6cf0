/// Enforces read-only preopened directories for one WASI instance.
///
/// WASI preview 1 has no read-only preopen, so the host tracks which descriptors descend
/// from a read-only directory (through `path_open` and `fd_renumber`) and refuses any call
/// that would create, change or remove something through them with `EROFS`.
public struct WASIReadOnlyPolicy: Sendable {
    /// WASI errno for a read-only file system.
    public static let erofs: Int32 = 69

    private var readOnly: Set<UInt32>

    /// `readOnlyDescriptors` are the preopen descriptors mounted without `writable`.
    public init(readOnlyDescriptors: Set<UInt32>) {
        readOnly = readOnlyDescriptors
    }

    public var isEmpty: Bool { readOnly.isEmpty }

    /// Descriptor arguments through which each mutating function writes.
    static let mutatingDescriptors: [String: [Int]] = [
        "path_create_directory": [0],
        "path_remove_directory": [0],
        "path_unlink_file": [0],
        "path_rename": [0, 3],
        "path_symlink": [2],
        "path_link": [0, 4],
        "path_filestat_set_times": [0],
        "fd_filestat_set_times": [0],
        "fd_filestat_set_size": [0],
        "fd_allocate": [0],
        "fd_write": [0],
        "fd_pwrite": [0],
    ]

    // Flags whose presence on `path_open` means writing (WASI preview 1 values).
    static let oflagsCreateOrTruncate: UInt64 = 1 << 0 | 1 << 2 | 1 << 3
    static let rightsWrite: UInt64 = 1 << 6 | 1 << 8 | 1 << 22
    static let fdflagsAppend: UInt64 = 1 << 0

    /// Whether `function` can create, change or remove files, or changes which descriptors
    /// exist; only these are routed through the policy.
    public static func concerns(_ function: String) -> Bool {
        function == "path_open" || function == "fd_renumber" || function == "fd_close"
            || mutatingDescriptors[function] != nil
    }

    /// Returns `EROFS` when the call must be refused, `nil` to let it run.
    public func check(_ function: String, _ arguments: HostArguments) -> Int32? {
        guard !readOnly.isEmpty else { return nil }
        if function == "path_open" {
            guard readOnly.contains(arguments.u32(0)) else { return nil }
            let writes =
                arguments[4] & Self.oflagsCreateOrTruncate != 0
                || arguments[5] & Self.rightsWrite != 0
                || arguments[7] & Self.fdflagsAppend != 0
            return writes ? Self.erofs : nil
        }
        guard let descriptors = Self.mutatingDescriptors[function] else { return nil }
        for index in descriptors where readOnly.contains(arguments.u32(index)) {
            return Self.erofs
        }
        return nil
    }

    /// Records descriptor changes after a call succeeded (`errno` 0).
    public mutating func record(
        _ function: String, _ arguments: HostArguments, errno: Int32, memory: some GuestMemoryView
    ) {
        guard errno == 0 else { return }
        switch function {
        case "path_open":
            guard readOnly.contains(arguments.u32(0)), let opened = try? memory.readUInt32(arguments.u32(8)) else {
                return
            }
            readOnly.insert(opened)
        case "fd_renumber":
            let from = arguments.u32(0)
            let to = arguments.u32(1)
            if readOnly.remove(from) != nil { readOnly.insert(to) } else { readOnly.remove(to) }
        case "fd_close":
            readOnly.remove(arguments.u32(0))
        default:
            break
        }
    }
}
