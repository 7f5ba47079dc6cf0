import SwiftletABI
import WASI

/// The result of one guarded run: the export's value (a command's exit code) and the fuel
/// it used.
public struct GuestRunResult: Sendable {
    public var value: Int32
    public var fuelConsumed: UInt64
}

extension GuestInstance {
    /// Runs `entry` under Swiftlet's limits: the deadline stops it through
    /// ``GuestInstance/interrupt()`` (the watchdog never touches engine state), and every
    /// way it can end early becomes a ``GuestFailure`` naming the limit.
    /// - Parameter countFuel: receives the fuel the run used, unless the deadline stopped it
    ///   (an interrupted tank says nothing).
    public func run(
        _ entry: GuestEntry, fuel: UInt64?, deadline: UInt64?, memoryLimit: Int,
        countFuel: (UInt64) -> Void = { _ in }
    ) throws(GuestFailure) -> GuestRunResult {
        let watch = deadline.map { deadline in
            Watchdog.shared.watch(deadline: deadline) { [self] in interrupt() }
        }
        let outcome = Result { () throws(GuestTrap) -> GuestCallResult in
            try call(entry, fuel: fuel, deadline: deadline)
        }
        let timedOut = watch.map { Watchdog.shared.finish($0) } ?? false
        switch outcome {
        case .success(let result):
            countFuel(result.fuelConsumed)
            return GuestRunResult(value: result.value, fuelConsumed: result.fuelConsumed)
        case .failure(let trap):
            if !timedOut { countFuel(trap.fuelConsumed) }
            if case .host(let error) = trap.kind, let exit = error as? WASIExitCode {
                return GuestRunResult(value: Int32(bitPattern: exit.code), fuelConsumed: trap.fuelConsumed)
            }
            throw GuestFailure(trap, timedOut: timedOut, fuel: fuel, memoryLimit: memoryLimit)
        }
    }
}

extension GuestFailure {
    /// Names the limit behind a trap where there is one.
    init(_ trap: GuestTrap, timedOut: Bool, fuel: UInt64?, memoryLimit: Int) {
        switch trap.kind {
        case .interrupted:
            self.init(.timeout, "the guest ran past its deadline")
        case .host(let error) where error is DeadlineExceeded:
            self.init(.timeout, "the guest ran past its deadline")
        case .outOfFuel where timedOut:
            self.init(.timeout, "the guest ran past its deadline")
        case .outOfFuel:
            self.init(.fuelExhausted, "the guest used up its fuel budget of \(fuel ?? 0)")
        case _ where trap.memoryRefused:
            self.init(.memoryLimit, "the guest hit its memory limit of \(memoryLimit) bytes and then failed: \(trap.message)")
        case .stackExhausted:
            self.init(.trap, "call stack exhausted (unbounded recursion?)")
        case .host, .other:
            self.init(.trap, trap.message)
        }
    }
}
