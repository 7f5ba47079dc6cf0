import Dispatch
import SwiftletABI
import SwiftletBlocks
import SwiftletCore

extension GuestWorkerPool {
    /// Runs an async operation while the calling (guest) thread waits for it, up to
    /// `deadline`. The operation runs on Swift's global executor, never on this pool, so
    /// guests waiting on backends cannot starve the backends' own continuations; the wait
    /// counts as blocking, so the pool lets another thread serve meanwhile.
    public func wait<T: Sendable>(
        until deadline: UInt64?, _ operation: @escaping @Sendable () async throws(BuildingBlockError) -> T
    ) throws(ABIError) -> T {
        let now = MonotonicClock.now()
        if let deadline, deadline <= now { throw .timeout }
        let outcome = Outcome<T>()
        let semaphore = DispatchSemaphore(value: 0)
        let task = Task {
            let result: Result<T, BuildingBlockError>
            do throws(BuildingBlockError) {
                result = .success(try await operation())
            } catch {
                result = .failure(error)
            }
            outcome.set(result)
            semaphore.signal()
        }
        let finished = blocking {
            semaphore.wait(timeout: deadline.map { .now() + .nanoseconds(Int($0 - now)) } ?? .distantFuture) == .success
        }
        guard finished, let result = outcome.get() else {
            task.cancel()
            throw .timeout
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw ABIError(error)
        }
    }
}

/// The result of an operation finished on another thread.
private final class Outcome<T: Sendable>: Sendable {
    private let value = Locked<Result<T, BuildingBlockError>?>(nil)
    func set(_ result: Result<T, BuildingBlockError>) { value.withLock { $0 = result } }
    func get() -> Result<T, BuildingBlockError>? { value.withLock { $0 } }
}
