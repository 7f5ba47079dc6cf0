/// The watchdog's bookkeeping as a value: which calls are watched, which are overdue at a
/// given instant, and when the thread may park. ``Watchdog`` applies it under its lock and
/// does the interrupting; tests drive it with numbers for time.
struct DeadlineSchedule: Sendable {
    /// ``MonotonicClock`` nanoseconds without any watch after which the thread parks.
    static let parkAfter: UInt64 = 1_000_000_000

    private(set) var deadlines: [UInt64: UInt64] = [:]
    private(set) var fired: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private var lastBusy: UInt64 = 0
    /// Whether the thread is parked (or parking) and must be woken for a new watch.
    private(set) var parked = false

    /// Starts watching a call; `wake` says the parked thread must be woken.
    mutating func watch(deadline: UInt64) -> (id: UInt64, wake: Bool) {
        nextID += 1
        deadlines[nextID] = deadline
        let wake = parked
        parked = false
        return (nextID, wake)
    }

    /// Stops watching; whether its deadline had fired.
    mutating func finish(_ id: UInt64) -> Bool {
        deadlines[id] = nil
        return fired.remove(id) != nil
    }

    /// The calls to interrupt at `now` (every overdue one, again on each tick until it
    /// finishes, so a tier that misses one request gets another), and whether to park.
    mutating func tick(now: UInt64) -> (interrupt: [UInt64], park: Bool) {
        let overdue = deadlines.filter { $0.value <= now }.map(\.key).sorted()
        fired.formUnion(overdue)
        if !deadlines.isEmpty {
            lastBusy = now
        } else if now &- lastBusy > Self.parkAfter {
            parked = true
        }
        return (overdue, parked)
    }

    /// The parked thread woke: idle time counts from now.
    mutating func woke(now: UInt64) {
        lastBusy = now
    }
}
