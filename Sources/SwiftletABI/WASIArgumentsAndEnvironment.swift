/// `args_*` and `environ_*` of WASI preview 1, served from per-call lists.
///
/// Swiftlet implements these four itself rather than fixing argv and the environment when
/// an instance is created: a WAGI instance is prepared before its request exists, and the
/// CGI variables are only known when the request arrives.
public enum WASIArgumentsAndEnvironment {
    static let success: Int32 = 0

    /// `args_sizes_get` / `environ_sizes_get`: entry count and total bytes with NULs.
    public static func sizes(
        of entries: [String], countPointer: UInt32, sizePointer: UInt32, in memory: some GuestMemoryView
    ) -> Int32 {
        guard memory.contains(countPointer, 4), memory.contains(sizePointer, 4) else {
            return WASIPointerGuard.efault
        }
        let bytes = entries.reduce(0) { $0 + $1.utf8.count + 1 }
        try? memory.writeUInt32(UInt32(entries.count), at: countPointer)
        try? memory.writeUInt32(UInt32(truncatingIfNeeded: bytes), at: sizePointer)
        return success
    }

    /// `args_get` / `environ_get`: a pointer per entry, then the NUL-terminated strings.
    public static func get(
        _ entries: [String], pointers: UInt32, buffer: UInt32, in memory: some GuestMemoryView
    ) -> Int32 {
        let bytes = entries.reduce(0) { $0 + $1.utf8.count + 1 }
        guard UInt64(entries.count) * 4 <= UInt64(UInt32.max), bytes <= Int(UInt32.max),
            memory.contains(pointers, UInt32(entries.count * 4)), memory.contains(buffer, UInt32(bytes))
        else {
            return WASIPointerGuard.efault
        }
        var cursor = buffer
        for (index, entry) in entries.enumerated() {
            try? memory.writeUInt32(cursor, at: pointers + UInt32(index) * 4)
            var bytes = Array(entry.utf8)
            bytes.append(0)
            _ = try? memory.copyOut(bytes, to: cursor, capacity: UInt32(bytes.count))
            cursor += UInt32(bytes.count)
        }
        return success
    }
}
