/// Validates every pointer a guest passes to a `wasi_snapshot_preview1` function before the
/// WASI implementation touches memory.
///
/// The WASI layer under WasmKit maps guest ranges without checking them, and the engine's
/// memory accessor stops the process on an out-of-range access. A WAGI guest can be any
/// unmodified module, so a single bad `fd_write` would take the host down. This table
/// knows which arguments of each function are pointers and how many bytes each covers;
/// a range outside memory returns `EFAULT` instead.
public enum WASIPointerGuard {
    /// WASI errno for a bad address.
    public static let efault: Int32 = 21

    public enum Range: Sendable {
        /// `pointer` argument with a `length` argument.
        case bytes(pointer: Int, length: Int)
        /// `pointer` argument to a fixed-size value.
        case fixed(pointer: Int, size: UInt32)
        /// `pointer` to `count` iovecs (8 bytes each), whose buffers are checked too.
        case iovecs(pointer: Int, count: Int)
        /// `pointer` to `count` elements of `stride` bytes.
        case array(pointer: Int, count: Int, stride: UInt32)
    }

    static let table: [String: [Range]] = [
        "args_sizes_get": [.fixed(pointer: 0, size: 4), .fixed(pointer: 1, size: 4)],
        "environ_sizes_get": [.fixed(pointer: 0, size: 4), .fixed(pointer: 1, size: 4)],
        "clock_res_get": [.fixed(pointer: 1, size: 8)],
        "clock_time_get": [.fixed(pointer: 2, size: 8)],
        "fd_fdstat_get": [.fixed(pointer: 1, size: 24)],
        "fd_filestat_get": [.fixed(pointer: 1, size: 64)],
        "fd_pread": [.iovecs(pointer: 1, count: 2), .fixed(pointer: 4, size: 4)],
        "fd_prestat_get": [.fixed(pointer: 1, size: 8)],
        "fd_prestat_dir_name": [.bytes(pointer: 1, length: 2)],
        "fd_pwrite": [.iovecs(pointer: 1, count: 2), .fixed(pointer: 4, size: 4)],
        "fd_read": [.iovecs(pointer: 1, count: 2), .fixed(pointer: 3, size: 4)],
        "fd_readdir": [.bytes(pointer: 1, length: 2), .fixed(pointer: 4, size: 4)],
        "fd_seek": [.fixed(pointer: 3, size: 8)],
        "fd_tell": [.fixed(pointer: 1, size: 8)],
        "fd_write": [.iovecs(pointer: 1, count: 2), .fixed(pointer: 3, size: 4)],
        "path_create_directory": [.bytes(pointer: 1, length: 2)],
        "path_filestat_get": [.bytes(pointer: 2, length: 3), .fixed(pointer: 4, size: 64)],
        "path_filestat_set_times": [.bytes(pointer: 2, length: 3)],
        "path_link": [.bytes(pointer: 2, length: 3), .bytes(pointer: 5, length: 6)],
        "path_open": [.bytes(pointer: 2, length: 3), .fixed(pointer: 8, size: 4)],
        "path_readlink": [.bytes(pointer: 1, length: 2), .bytes(pointer: 3, length: 4), .fixed(pointer: 5, size: 4)],
        "path_remove_directory": [.bytes(pointer: 1, length: 2)],
        "path_rename": [.bytes(pointer: 1, length: 2), .bytes(pointer: 4, length: 5)],
        "path_symlink": [.bytes(pointer: 0, length: 1), .bytes(pointer: 3, length: 4)],
        "path_unlink_file": [.bytes(pointer: 1, length: 2)],
        "poll_oneoff": [
            .array(pointer: 0, count: 2, stride: 48), .array(pointer: 1, count: 2, stride: 32),
            .fixed(pointer: 3, size: 4),
        ],
        "random_get": [.bytes(pointer: 0, length: 1)],
        "sock_accept": [.fixed(pointer: 2, size: 4)],
        "sock_recv": [.iovecs(pointer: 1, count: 2), .fixed(pointer: 4, size: 4), .fixed(pointer: 5, size: 2)],
        "sock_send": [.iovecs(pointer: 1, count: 2), .fixed(pointer: 4, size: 4)],
    ]

    /// The pointer ranges of `function`, looked up once when an import is linked.
    public static func ranges(for function: String) -> [Range]? {
        table[function]
    }

    /// Whether every range lies inside `memory`.
    public static func isValid(_ ranges: [Range], _ arguments: HostArguments, in memory: some GuestMemoryView) -> Bool {
        for range in ranges {
            switch range {
            case .bytes(let pointer, let length):
                guard memory.contains(arguments.u32(pointer), arguments.u32(length)) else { return false }
            case .fixed(let pointer, let size):
                guard memory.contains(arguments.u32(pointer), size) else { return false }
            case .array(let pointer, let count, let stride):
                let bytes = UInt64(arguments.u32(count)) * UInt64(stride)
                guard bytes <= UInt64(UInt32.max), memory.contains(arguments.u32(pointer), UInt32(bytes)) else {
                    return false
                }
            case .iovecs(let pointer, let count):
                let base = arguments.u32(pointer)
                let entries = arguments.u32(count)
                let bytes = UInt64(entries) * 8
                guard bytes <= UInt64(UInt32.max), memory.contains(base, UInt32(bytes)) else { return false }
                for index in 0..<entries {
                    let entry = base &+ index &* 8
                    guard let buffer = try? memory.readUInt32(entry),
                        let length = try? memory.readUInt32(entry &+ 4),
                        memory.contains(buffer, length)
                    else { return false }
                }
            }
        }
        return true
    }
}
