/// A cap on the bytes a guest may write into files during one instance's life: a sandbox
/// gives untrusted code a writable scratch directory without letting it fill the host's
/// disk. Standard streams are bounded elsewhere (the session's capture limit) and do not
/// count.
///
/// Counting is conservative: every byte written counts, even one that overwrites an
/// earlier byte, and a file may not be sized or allocated past the quota.
public struct WASIWriteQuota: Sendable, Equatable {
    /// WASI errno for "no space left on device".
    public static let enospc: Int32 = 51

    public let limit: UInt64
    public private(set) var used: UInt64 = 0

    public init(limit: UInt64) {
        self.limit = limit
    }

    /// Whether `bytes` more fit; the addition is checked, so a hostile length cannot wrap.
    public func admits(_ bytes: UInt64) -> Bool {
        let (total, overflow) = used.addingReportingOverflow(bytes)
        return !overflow && total <= limit
    }

    public mutating func spend(_ bytes: UInt64) {
        used = min(limit, used &+ bytes)
    }

    /// Whether a file may be extended to `size` bytes (`fd_filestat_set_size`, or
    /// `offset + length` of `fd_allocate`).
    public func allowsFile(ofSize size: UInt64) -> Bool { size <= limit }

    /// The total length of an iovec array, or nil when it cannot be read (the pointer guard
    /// has checked the array itself; lengths are the guest's and are summed with checks).
    public static func requestedBytes<Memory: GuestMemoryView>(iovs: UInt32, count: UInt32, in memory: Memory) -> UInt64? {
        var total: UInt64 = 0
        for index in 0..<UInt64(count) {
            let (offset, overflow) = UInt64(iovs).addingReportingOverflow(index * 8 + 4)
            guard !overflow, offset <= UInt64(UInt32.max), let length = try? memory.readUInt32(UInt32(offset)) else {
                return nil
            }
            total += UInt64(length)
        }
        return total
    }
}
