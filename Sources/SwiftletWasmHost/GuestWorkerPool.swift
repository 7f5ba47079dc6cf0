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

    /// A worker's view for the monitor. Guarded by `lock`.
    final class Slot: @unchecked Sendable {
        unowned let pool: GuestWorkerPool
        var jobStart: UInt64 = 0
        var compensated = false

        init(pool: GuestWorkerPool) {
            self.pool = pool
        }
    }

    // All fields below are guarded by `lock`, which is also the workers' wait condition.
    private let lock = NSCondition()
    private var queue = Deque<Work>()
    private var slots: [Slot] = []
    private var active = 0
    private var parked = 0
    private var compensations = 0
    private var stopped = false

    /// Threads taking work at once when no job runs long.
    public let parallelism: Int
    /// Upper bound on threads, including those stuck in long jobs.
    public let maxThreads: Int
    /// Nanoseconds after which a running job counts as long.
    let longJobThreshold: UInt64

    public init(parallelism: Int? = nil, maxThreads: Int? = nil, longJobMilliseconds: UInt64 = 5) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        self.parallelism = max(1, parallelism ?? cores)
        self.maxThreads = max(self.parallelism, maxThreads ?? max(64, cores * 8))
        longJobThreshold = longJobMilliseconds * 1_000_000
        lock.lock()
        for _ in 0..<self.parallelism { startThread() }
        lock.unlock()
        let monitor = Thread { [self] in monitorLoop() }
        monitor.name = "swiftlet-workers-monitor"
        monitor.start()
    }

    /// Threads created so far.
    public var threadCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return slots.count
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
        let marked = !slot.compensated
        if marked {
            slot.compensated = true
            compensations += 1
            if !queue.isEmpty {
                if parked > 0 { lock.signal() } else if slots.count < maxThreads { startThread() }
            }
        }
        lock.unlock()
        defer {
            if marked {
                lock.lock()
                if slot.compensated {
                    slot.compensated = false
                    compensations -= 1
                }
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
        stopped = true
        lock.broadcast()
        lock.unlock()
    }

    private var target: Int { parallelism + compensations }

    private func push(_ work: Work) {
        lock.lock()
        queue.append(work)
        if parked > 0, active < target {
            lock.signal()
        } else if stopped, active + parked == 0 {
            // Work that arrives after shutdown (a task finishing up) still runs.
            startThread()
        }
        lock.unlock()
    }

    /// Called with `lock` held.
    private func startThread() {
        let slot = Slot(pool: self)
        slots.append(slot)
        active += 1
        let thread = Thread { [self] in workLoop(slot) }
        thread.name = "swiftlet-worker-\(slots.count)"
        thread.start()
    }

    private func workLoop(_ slot: Slot) {
        WorkerThreadMarker.current = Unmanaged.passUnretained(slot).toOpaque()
        let executor = asUnownedTaskExecutor()
        while let work = next(slot) {
            switch work {
            case .closure(let closure): closure()
            case .job(let job): job.runSynchronously(on: executor)
            }
        }
    }

    /// The next piece of work for `slot`, parking while there is none or while more
    /// threads are active than the target; `nil` when the pool stops.
    private func next(_ slot: Slot) -> Work? {
        lock.lock()
        defer { lock.unlock() }
        slot.jobStart = 0
        if slot.compensated {
            slot.compensated = false
            compensations -= 1
        }
        while true {
            if stopped, queue.isEmpty {
                active -= 1
                return nil
            }
            if active <= target, let work = queue.popFirst() {
                slot.jobStart = MonotonicClock.now()
                return work
            }
            active -= 1
            parked += 1
            lock.wait()
            parked -= 1
            active += 1
        }
    }

    /// Every few milliseconds, lets one more thread work for each job that has run long.
    private func monitorLoop() {
        while true {
            lock.lock()
            if stopped {
                lock.unlock()
                return
            }
            let now = MonotonicClock.now()
            var added = 0
            for slot in slots where slot.jobStart != 0 && !slot.compensated && now - slot.jobStart > longJobThreshold {
                slot.compensated = true
                compensations += 1
                added += 1
            }
            while added > 0, !queue.isEmpty || parked == 0 {
                if parked > 0 {
                    lock.signal()
                } else if slots.count < maxThreads {
                    startThread()
                } else {
                    break
                }
                added -= 1
            }
            let busy = active > 0
            lock.unlock()
            // Idle pools are checked rarely; a busy one every millisecond or so.
            Thread.sleep(forTimeInterval: busy ? Double(longJobThreshold) / 4e9 : 0.1)
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
