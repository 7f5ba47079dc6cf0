import DequeModule

/// A FIFO lock for async code: at most one holder, waiters resume in arrival order.
/// Used where a backend needs exclusive use of a connection across several awaits
/// (a SQLite transaction).
public final class AsyncLock: Sendable {
    private struct State {
        var held = false
        var waiters = Deque<CheckedContinuation<Void, Never>>()
    }

    private let state = Locked(State())

    public init() {}

    public func withLock<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        await lock()
        defer { unlock() }
        return try await body()
    }

    public func lock() async {
        let acquired = state.withLock { state -> Bool in
            if state.held { return false }
            state.held = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let acquiredNow = state.withLock { state -> Bool in
                if !state.held {
                    state.held = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquiredNow { continuation.resume() }
        }
    }

    public func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.popFirst() { return waiter }  // ownership passes on
            state.held = false
            return nil
        }
        next?.resume()
    }
}
