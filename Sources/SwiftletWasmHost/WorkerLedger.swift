/// The worker pool's decisions as a value: how many threads take work, when a parked one is
/// woken or a new one started, and when a long or blocking job is compensated with one more.
/// ``GuestWorkerPool`` applies it under its lock (where the queue of work also lives) and
/// does the waking; tests drive it with numbers for time.
struct WorkerLedger: Sendable {
    /// What the pool must do for a decision.
    enum Wake: Equatable, Sendable {
        /// Signal one parked thread.
        case signal
        /// Start a thread for the new slot at this index (already counted as active).
        case spawn(Int)
    }

    /// What a worker does next.
    enum Next: Equatable, Sendable {
        /// Take the first queued work.
        case run
        /// Wait for a signal, then ask again (after ``unparked()``).
        case park
        /// The pool has stopped and nothing is queued.
        case exit
    }

    struct Slot: Equatable, Sendable {
        /// When its current job started (``MonotonicClock`` nanoseconds), 0 when idle.
        var jobStart: UInt64 = 0
        /// Whether its job counts as long or blocking, letting one more thread work.
        var compensated = false
    }

    let parallelism: Int
    let maxThreads: Int
    let longJobThreshold: UInt64
    private(set) var slots: [Slot] = []
    private(set) var active = 0
    private(set) var parked = 0
    private(set) var compensations = 0
    private(set) var queued = 0
    private(set) var stopped = false

    /// Threads allowed to take work now: one per core, plus one per long or blocking job.
    var target: Int { parallelism + compensations }

    init(parallelism: Int, maxThreads: Int, longJobThreshold: UInt64) {
        self.parallelism = max(1, parallelism)
        self.maxThreads = max(self.parallelism, maxThreads)
        self.longJobThreshold = longJobThreshold
    }

    /// The threads to start with.
    mutating func start() -> [Wake] {
        (0..<parallelism).map { _ in spawn() }
    }

    private mutating func spawn() -> Wake {
        slots.append(Slot())
        active += 1
        return .spawn(slots.count - 1)
    }

    /// Work was queued.
    mutating func pushed() -> Wake? {
        queued += 1
        if parked > 0, active < target { return .signal }
        // Work that arrives after shutdown (a task finishing up) still runs.
        if stopped, active + parked == 0 { return spawn() }
        return nil
    }

    mutating func stop() {
        stopped = true
    }

    /// A worker finished its job (or just started): it no longer counts as long.
    mutating func finished(_ slot: Int) {
        slots[slot].jobStart = 0
        uncompensate(slot)
    }

    /// What the worker at `slot` does next. ``run`` takes one queued item.
    mutating func next(_ slot: Int, now: UInt64) -> Next {
        if stopped, queued == 0 {
            active -= 1
            return .exit
        }
        if active <= target, queued > 0 {
            queued -= 1
            slots[slot].jobStart = now
            return .run
        }
        active -= 1
        parked += 1
        return .park
    }

    /// A parked worker woke (signalled, or spuriously).
    mutating func unparked() {
        parked -= 1
        active += 1
    }

    /// The worker at `slot` is about to block (a guest waiting on a backend): another
    /// thread may take work at once, rather than after the long-job threshold. `nil` marks
    /// nothing (the job is already compensated) and needs no ``endBlocking(_:)``.
    mutating func beginBlocking(_ slot: Int) -> (marked: Bool, wake: Wake?) {
        guard !slots[slot].compensated else { return (false, nil) }
        slots[slot].compensated = true
        compensations += 1
        guard queued > 0 else { return (true, nil) }
        if parked > 0 { return (true, .signal) }
        if slots.count < maxThreads { return (true, spawn()) }
        return (true, nil)
    }

    mutating func endBlocking(_ slot: Int) {
        uncompensate(slot)
    }

    /// Marks every job that has run longer than the threshold, letting one more thread work
    /// for each: a signal while there is a parked thread, else a new thread (up to the
    /// bound) — also when nothing is queued yet, so the next request has one ready.
    mutating func monitor(now: UInt64) -> [Wake] {
        var added = 0
        for index in slots.indices
        where slots[index].jobStart != 0 && !slots[index].compensated && now - slots[index].jobStart > longJobThreshold {
            slots[index].compensated = true
            compensations += 1
            added += 1
        }
        var wakes: [Wake] = []
        while added > 0, queued > 0 || parked == 0 {
            if parked > 0 {
                wakes.append(.signal)
            } else if slots.count < maxThreads {
                wakes.append(spawn())
            } else {
                break
            }
            added -= 1
        }
        return wakes
    }

    /// Whether any thread is taking work (the monitor looks often then, rarely otherwise).
    var busy: Bool { active > 0 }

    private mutating func uncompensate(_ slot: Int) {
        guard slots[slot].compensated else { return }
        slots[slot].compensated = false
        compensations -= 1
    }
}
