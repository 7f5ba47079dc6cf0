import CSwiftletInterrupt
@_spi(Fuzzing) import WasmKit
import SwiftletCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The process-wide handler is installed the first time an instance runs.

/// Stops one instance's call from another thread without touching its store there.
///
/// WasmKit cannot be preempted and documents a `Store` as thread-confined; what it does
/// offer is a fuel counter it reads at every loop back-edge and call. So ``interrupt()``
/// signals the thread running the call, and the signal handler — on that thread, between
/// two instructions — empties the counter: the guest traps "out of fuel" at its next check.
/// The handler can lose to the interpreter's own read-modify-write of the counter, so the
/// watchdog repeats the request every tick until the call ends.
final class WasmKitInterruption: Sendable {
    private struct Running: @unchecked Sendable {
        let thread: pthread_t
        let slot: OpaquePointer
        let ticket: UInt64
    }

    private let running = Locked<Running?>(nil)
    private static let tickets = Atomic<UInt64>(0)
    private static let installation: Int32 = swiftlet_interrupt_install()

    /// Makes `counter` the one to empty while `body` runs on this thread.
    func during<R>(counter: UnsafeMutablePointer<UInt64>, _ body: () throws -> R) rethrows -> R {
        precondition(Self.installation == 0, "cannot install the interrupt signal handler (errno \(Self.installation))")
        let ticket = Self.tickets.add(1, ordering: .relaxed).newValue
        swiftlet_interrupt_arm(counter, ticket)
        running.withLock {
            $0 = Running(thread: pthread_self(), slot: swiftlet_interrupt_current_slot(), ticket: ticket)
        }
        defer {
            // No signal is sent once this returns, so the thread is never signalled after
            // the call; one already on its way finds the ticket disarmed.
            running.withLock { $0 = nil }
            swiftlet_interrupt_disarm()
        }
        return try body()
    }

    /// Asks the call in progress, if any, to stop.
    func interrupt() {
        running.withLock { running in
            guard let running else { return }
            _ = swiftlet_interrupt_send(running.thread, running.slot, running.ticket)
        }
    }
}

/// Where a `Store` keeps its fuel counter.
///
/// WasmKit charges fuel through the counter's address but does not expose it. It is a
/// stored property at a fixed offset in every `Store`, found once by writing two marker
/// budgets through the public `fuel` property and looking for them in the object.
enum WasmKitFuelCounter {
    static let offset: Int? = {
        let store = Store(engine: Engine(configuration: EngineConfiguration(fuelMetering: true)))
        let first: UInt64 = 0x5357_4946_544C_4554
        let second: UInt64 = 0x4655_454C_4F46_4653
        let base = UnsafeRawPointer(Unmanaged.passUnretained(store).toOpaque())
        // Only the object's own bytes are read.
        let size = swiftlet_allocation_size(base)
        return withExtendedLifetime(store) { () -> Int? in
            store.fuel = Fuel(remaining: first)
            for offset in stride(from: 16, to: size - 7, by: 8) where base.load(fromByteOffset: offset, as: UInt64.self) == first {
                store.fuel = Fuel(remaining: second)
                if base.load(fromByteOffset: offset, as: UInt64.self) == second { return offset }
                store.fuel = Fuel(remaining: first)
            }
            return nil
        }
    }()

    /// The counter of `store`, valid while `store` is alive.
    static func address(in store: Store) -> UnsafeMutablePointer<UInt64> {
        guard let offset else {
            fatalError("WasmKit's Store layout changed: its fuel counter was not found")
        }
        return Unmanaged.passUnretained(store).toOpaque().advanced(by: offset).assumingMemoryBound(to: UInt64.self)
    }
}
