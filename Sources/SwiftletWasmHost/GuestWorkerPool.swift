import DequeModule
import Foundation
import Synchronization

/// Dedicated threads on which guests run.
///
/// Guest code is synchronous and may run for its whole timeout, so it must stay off both
/// the NIO event loops and Swift's cooperative pool (two threads on a two-core machine):
/// a few looping guests would otherwise stall every other request, health checks included.
public final class GuestWorkerPool: Sendable {
    private struct State {
        var jobs = Deque<@Sendable () -> Void>()
        var idleWorkers = 0
        var stopped = false
    }

    private let state = Mutex(State())
    private let condition = NSCondition()
    public let threadCount: Int

    /// Starts `threads` workers (default: four per core, at least eight, so that a few
    /// runaway guests waiting out their deadline leave room for everyone else).
    public init(threads: Int? = nil, name: String = "swiftlet-guest") {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        threadCount = threads ?? max(8, cores * 4)
        for index in 0..<threadCount {
            let thread = Thread { [self] in workLoop() }
            thread.name = "\(name)-\(index)"
            // Guests recurse through host frames only shallowly; the interpreter keeps the
            // Wasm stack itself, so the default stack size is enough.
            thread.start()
        }
    }

    /// Runs `work` on a worker and returns its result.
    public func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withUnsafeContinuation { continuation in
            submit {
                continuation.resume(returning: Result { () throws(E) -> T in try work() })
            }
        }
        return try result.get()
    }

    /// Queues `job` without waiting for it.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        let signal = state.withLock { state -> Bool in
            state.jobs.append(job)
            return state.idleWorkers > 0
        }
        if signal {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets workers exit once the queue is empty.
    public func shutdown() {
        state.withLock { $0.stopped = true }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    private func workLoop() {
        while true {
            if let job = nextJob() {
                job()
                continue
            }
            if state.withLock({ $0.stopped && $0.jobs.isEmpty }) { return }
            condition.lock()
            // Re-check under the condition lock: a job submitted after `nextJob` saw an
            // empty queue signals only once this worker counts as idle.
            let mustWait = state.withLock { state -> Bool in
                guard state.jobs.isEmpty, !state.stopped else { return false }
                state.idleWorkers += 1
                return true
            }
            if mustWait {
                condition.wait()
                state.withLock { $0.idleWorkers -= 1 }
            }
            condition.unlock()
        }
    }

    private func nextJob() -> (@Sendable () -> Void)? {
        state.withLock { $0.jobs.popFirst() }
    }
}
