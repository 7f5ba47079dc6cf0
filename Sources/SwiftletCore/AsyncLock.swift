/// A FIFO lock for async code: at most one holder, waiters resume in arrival order.
/// Used where a backend needs exclusive use of a connection across several awaits
/// (a SQLite transaction).
public final class AsyncLock: Sendable {
    private let semaphore = AsyncSemaphore(permits: 1)

    public init() {}

    public func withLock<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        try await semaphore.withPermit(body)
    }

    public func lock() async {
        await semaphore.acquire()
    }

    public func unlock() {
        semaphore.release()
    }
}
