@_spi(Fuzzing) import WasmKit
import Synchronization

/// Caps an instance's linear memory; a denied `memory.grow` returns -1 inside the guest.
final class MemoryLimiter: ResourceLimiter {
    let limit: Int
    /// Set once growth was refused, so a trap that follows can be blamed on the limit.
    let refused = Atomic<Bool>(false)

    init(limit: Int) {
        self.limit = limit
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= limit else {
            refused.store(true, ordering: .relaxed)
            return false
        }
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        // Tables hold function references; a million is far past any real module.
        desired <= 1 << 20
    }
}
