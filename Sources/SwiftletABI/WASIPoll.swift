/// Reads `poll_oneoff` subscriptions so the host can refuse a sleep that would outlast a
/// request's deadline instead of blocking a worker thread through it.
public enum WASIPoll {
    static let subscriptionSize: UInt32 = 48
    static let clockTag: UInt8 = 0
    static let absoluteTimeFlag: UInt16 = 1

    /// When every subscription is a relative clock, the shortest timeout in nanoseconds;
    /// otherwise `nil` (the poll may end early on I/O, so it is left alone).
    public static func clockOnlyTimeout(_ arguments: HostArguments, in memory: some GuestMemoryView) -> UInt64? {
        let base = arguments.u32(0)
        let count = arguments.u32(2)
        guard count > 0 else { return nil }
        var shortest = UInt64.max
        for index in 0..<count {
            let entry = base &+ index &* subscriptionSize
            guard let fields = try? memory.readBytes(entry, subscriptionSize) else { return nil }
            guard fields[8] == clockTag else { return nil }
            let flags = UInt16(fields[40]) | UInt16(fields[41]) << 8
            guard flags & absoluteTimeFlag == 0 else { return nil }
            var timeout: UInt64 = 0
            for byte in (24..<32).reversed() { timeout = timeout << 8 | UInt64(fields[byte]) }
            shortest = min(shortest, timeout)
        }
        return shortest
    }
}
