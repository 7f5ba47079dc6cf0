import DequeModule

/// How many requests of a component run and wait, as a value whose transitions say who
/// runs next. ``AdmissionGate`` applies them under its lock and resumes the waiting tasks.
///
/// A waiter holds its place from the moment it is told to wait, before its task has
/// suspended: a cancellation or a freed slot that arrives in between is decided here, once,
/// instead of being lost between two lock acquisitions.
struct AdmissionMachine: Sendable {
    enum Entry: Equatable, Sendable {
        case admitted
        /// Wait; ``leave()`` or ``cancel(_:)`` decides this waiter's fate.
        case queued(UInt64)
        case refused
    }

    let maxConcurrency: Int
    let maxQueue: Int
    private(set) var running = 0
    private(set) var queue = Deque<UInt64>()
    private var nextID: UInt64 = 0

    init(maxConcurrency: Int, maxQueue: Int) {
        self.maxConcurrency = max(1, maxConcurrency)
        self.maxQueue = max(0, maxQueue)
    }

    mutating func enter() -> Entry {
        if running < maxConcurrency {
            running += 1
            return .admitted
        }
        guard queue.count < maxQueue else { return .refused }
        nextID += 1
        queue.append(nextID)
        return .queued(nextID)
    }

    /// A slot now or nothing, for callers that cannot wait.
    mutating func tryEnter() -> Bool {
        guard running < maxConcurrency else { return false }
        running += 1
        return true
    }

    /// A running request ended: its slot goes straight to the first waiter, if any, whose
    /// id is returned.
    mutating func leave() -> UInt64? {
        if let next = queue.popFirst() { return next }
        running -= 1
        return nil
    }

    /// A waiter gave up. True if it was still waiting (it is refused); false if a slot was
    /// handed to it first (it runs, and must leave like any other).
    mutating func cancel(_ id: UInt64) -> Bool {
        guard let index = queue.firstIndex(of: id) else { return false }
        queue.remove(at: index)
        return true
    }
}
