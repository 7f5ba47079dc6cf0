import Foundation
import SwiftletCore

/// One background thread that prepares instances ahead of demand, at low priority so it
/// yields the CPU to requests being served.
final class Prewarmer: Sendable {
    private struct State {
        var queue: [InstanceSupply] = []
        var waiting = false
        var stopped = false
    }

    private let state = Locked(State())
    private let condition = NSCondition()

    init() {
        let thread = Thread { [self] in run() }
        thread.name = "swiftlet-prewarm"
        thread.start()
    }

    /// Asks for `supply` to be topped up.
    func schedule(_ supply: InstanceSupply) {
        let signal = state.withLock { state -> Bool in
            guard !state.queue.contains(where: { $0 === supply }) else { return false }
            state.queue.append(supply)
            return state.waiting
        }
        if signal {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
    }

    func stop() {
        state.withLock { $0.stopped = true }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    private enum Next {
        case fill(InstanceSupply)
        case wait
        case stop
    }

    private func run() {
        lowerThreadPriority()
        while true {
            // An explicit enum: a doubly optional result once read "queue empty" as "stop",
            // and the thread quit the first time it had nothing to do.
            let next = state.withLock { state -> Next in
                if state.stopped { return .stop }
                return state.queue.isEmpty ? .wait : .fill(state.queue.removeFirst())
            }
            switch next {
            case .stop:
                return
            case .fill(let supply):
                if supply.fillOne() { schedule(supply) }
            case .wait:
                condition.lock()
                let mustWait = state.withLock { state -> Bool in
                    state.waiting = state.queue.isEmpty && !state.stopped
                    return state.waiting
                }
                if mustWait {
                    condition.wait()
                    state.withLock { $0.waiting = false }
                }
                condition.unlock()
            }
        }
    }

    private func lowerThreadPriority() {
        #if os(Linux)
        // Linux applies nice values per thread; the thread id is the last component of
        // /proc/thread-self (avoiding a variadic `syscall`, which Swift cannot call).
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"),
            let tid = link.split(separator: "/").last.flatMap({ id_t($0) })
        else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, 10)
        #endif
    }
}
