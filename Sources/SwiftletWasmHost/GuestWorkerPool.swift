import DequeModule
import Foundation
import SwiftletABI

/// The threads that serve requests and run guests; also a Swift `TaskExecutor`.
///
/// Guest code is synchronous and may run for its whole timeout, so it stays off the NIO
/// event loops and off Swift's cooperative pool. Serving HTTP with this pool as the task
/// executor puts the request task and its guest call on the same threads, so handing a
/// call over is a queue operation, not a wake-up of another pool.
///
/// The pool is elastic. `parallelism` threads (one per core) take work, which keeps
/// context switches and lock contention low: with more threads than cores contending for
/// the queue, measured throughput fell tenfold. When a job has run longer than
/// `longJobThreshold` — a guest computing or looping until its deadline — a monitor lets one
/// more thread take work, so runaway guests cannot starve everyone else; the extra thread
/// parks again once the long job ends.
public final class GuestWorkerPool: TaskExecutor, @unchecked Sendable {
    enum Work {
        case closure(@Sendable () -> Void)
        case job(UnownedJob)
    }

    /// Identifies a worker thread (its thread-local marker) by its index in the ledger.
    final class Slot: @unchecked Sendable {
        unowned let pool: GuestWorkerPool
        let index: Int

        init(pool: GuestWorkerPool, index: Int) {
            self.pool = pool
            self.index = index
        }
    }

    // Guarded by `lock`, which is also the workers' wait condition. The ledger decides;
    // the queue holds the work it counts.
    private let lock = NSCondition()
    private var queue = Deque<Work>()
    private var ledger: WorkerLedger

    /// Threads taking work at once when no job runs long.
    public let parallelism: Int
    /// Upper bound on threads, including those stuck in long jobs.
    public let maxThreads: Int

    public init(parallelism: Int? = nil, maxThreads: Int? = nil, longJobMilliseconds: UInt64 = 5) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        ledger = WorkerLedger(
            parallelism: parallelism ?? cores, maxThreads: maxThreads ?? max(64, cores * 8),
            longJobThreshold: longJobMilliseconds * 1_000_000)
        self.parallelism = ledger.parallelism
        self.maxThreads = ledger.maxThreads
        lock.lock()
        let wakes = ledger.start()
        lock.unlock()
        perform(wakes)
        let monitor = Thread { [self] in monitorLoop() }
        monitor.name = "swiftlet-workers-monitor"
        monitor.start()
    }

    /// Whether the calling thread is one of this pool's workers.
    public var isCurrentThread: Bool {
        currentSlot != nil
    }

    /// The calling worker's slot, if the caller is one of this pool's workers.
    private var currentSlot: Slot? {
        guard let pointer = WorkerThreadMarker.current else { return nil }
        let slot = Unmanaged<Slot>.fromOpaque(pointer).takeUnretainedValue()
        return slot.pool === self ? slot : nil
    }

    /// Runs `body`, which blocks (a guest waiting on a backend), letting another thread take
    /// work meanwhile — at once, rather than after the long-job threshold.
    public func blocking<T>(_ body: () throws -> T) rethrows -> T {
        guard let slot = currentSlot else { return try body() }
        lock.lock()
        let (marked, wake) = ledger.beginBlocking(slot.index)
        lock.unlock()
        perform(wake.map { [$0] } ?? [])
        defer {
            if marked {
                lock.lock()
                ledger.endBlocking(slot.index)
                lock.unlock()
            }
        }
        return try body()
    }

    /// Queues `job` without waiting for it.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        push(.closure(job))
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        push(.job(UnownedJob(job)))
    }

    /// Lets workers exit once the queue is empty.
    public func shutdown() {
        lock.lock()
        ledger.stop()
        lock.broadcast()
        lock.unlock()
    }

    private func push(_ work: Work) {
        lock.lock()
        queue.append(work)
        let wake = ledger.pushed()
        if wake == .signal { lock.signal() }
        lock.unlock()
        if case .spawn(let index)? = wake { startThread(index) }
    }

    /// Signals (taking the lock) and starts the threads a decision asked for.
    private func perform(_ wakes: [WorkerLedger.Wake]) {
        for wake in wakes {
            switch wake {
            case .signal:
                lock.lock()
                lock.signal()
                lock.unlock()
            case .spawn(let index):
                startThread(index)
            }
        }
    }

    private func startThread(_ index: Int) {
        let slot = Slot(pool: self, index: index)
        let thread = Thread { [self] in workLoop(slot) }
        thread.name = "swiftlet-worker-\(index + 1)"
        thread.start()
    }

    private func workLoop(_ slot: Slot) {
        // `slot` lives as long as this loop: the marker need not own it.
        WorkerThreadMarker.current = Unmanaged.passUnretained(slot).toOpaque()
        let executor = asUnownedTaskExecutor()
        while let work = next(slot) {
            switch work {
            case .closure(let closure): closure()
            case .job(let job): job.runSynchronously(on: executor)
            }
        }
        WorkerThreadMarker.current = nil
    }

    /// The next piece of work for `slot`, parking while there is none or while more
    /// threads are active than the target; `nil` when the pool stops.
    private func next(_ slot: Slot) -> Work? {
        lock.lock()
        defer { lock.unlock() }
        ledger.finished(slot.index)
        while true {
            switch ledger.next(slot.index, now: MonotonicClock.now()) {
            case .exit:
                return nil
            case .run:
                return queue.popFirst()
            case .park:
                lock.wait()
                ledger.unparked()
            }
        }
    }

    /// Every few milliseconds, lets one more thread work for each job that has run long.
    private func monitorLoop() {
        while true {
            lock.lock()
            if ledger.stopped {
                lock.unlock()
                return
            }
            var spawns: [WorkerLedger.Wake] = []
            for wake in ledger.monitor(now: MonotonicClock.now()) {
                if wake == .signal { lock.signal() } else { spawns.append(wake) }
            }
            let busy = ledger.busy
            let threshold = ledger.longJobThreshold
            lock.unlock()
            perform(spawns)
            // Idle pools are checked rarely; a busy one every millisecond or so.
            Thread.sleep(forTimeInterval: busy ? Double(threshold) / 4e9 : 0.1)
        }
    }
}

/// Marks worker threads with their slot, so code can tell whether it runs on a pool.
enum WorkerThreadMarker {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var current: UnsafeMutableRawPointer? {
        get { pthread_getspecific(key) }
        set { pthread_setspecific(key, newValue) }
    }
}
