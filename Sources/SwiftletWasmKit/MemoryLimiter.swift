@_spi(Fuzzing) import WasmKit
import SwiftletWasmHost
import Synchronization

/// Caps an instance's linear memory; a denied `memory.grow` returns -1 inside the guest.
///
/// Owned by the store, so it also carries the instance's census account: WasmKit asks it
/// for every size the memory takes, and it dies with the store.
final class MemoryLimiter: ResourceLimiter {
    let limit: Int
    /// Set once growth was refused, so a trap that follows can be blamed on the limit.
    let refused = Atomic<Bool>(false)
    let account: InstanceAccount

    init(limit: Int, account: InstanceAccount) {
        self.limit = limit
        self.account = account
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= limit else {
            refused.store(true, ordering: .relaxed)
            return false
        }
        // Wasm32 guests have one memory; the last size granted is the size held.
        account.memoryResized(to: desired)
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        // Tables hold function references; a million is far past any real module.
        desired <= 1 << 20
    }
}
