import DequeModule
import SwiftletCore

/// Bounds how many requests a component runs at once and how many may wait.
///
/// Past both bounds a request is refused at once (the HTTP trigger answers 503) rather than
/// queued without limit: an overloaded component sheds load instead of exhausting memory.
public final class AdmissionGate: Sendable {
    private struct State {
        var running = 0
        var waiters = Deque<(id: UInt64, continuation: CheckedContinuation<Bool, Never>)>()
        var nextID: UInt64 = 0
    }

    public let maxConcurrency: Int
    public let maxQueue: Int
    private let state = Locked(State())

    public init(maxConcurrency: Int, maxQueue: Int) {
        self.maxConcurrency = max(1, maxConcurrency)
        self.maxQueue = max(0, maxQueue)
    }

    /// Requests running and waiting right now.
    public var load: (running: Int, waiting: Int) {
        state.withLock { ($0.running, $0.waiters.count) }
    }

    /// Takes a slot, waiting in line if needed; throws ``GuestFailure/Kind/overloaded``
    /// when the line is full or the waiting task is cancelled.
    public func enter() async throws(GuestFailure) {
        enum Decision { case admitted, wait(UInt64), refused }
        let decision = state.withLock { state -> Decision in
            if state.running < maxConcurrency {
                state.running += 1
                return .admitted
            }
            guard state.waiters.count < maxQueue else { return .refused }
            state.nextID += 1
            return .wait(state.nextID)
        }
        switch decision {
        case .admitted:
            return
        case .refused:
            throw overloaded
        case .wait(let id):
            let admitted = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let enqueued = state.withLock { state -> Bool in
                        // A slot may have freed between the decision and now.
                        if state.running < maxConcurrency {
                            state.running += 1
                            return false
                        }
                        state.waiters.append((id, continuation))
                        return true
                    }
                    if !enqueued { continuation.resume(returning: true) }
                }
            } onCancel: {
                let removed = state.withLock { state in
                    state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
                }
                removed?.continuation.resume(returning: false)
            }
            guard admitted else { throw overloaded }
        }
    }

    /// Takes a slot only if one is free now; for callers that cannot wait (a guest invoking
    /// another component synchronously).
    public func tryEnter() -> Bool {
        state.withLock { state in
            guard state.running < maxConcurrency else { return false }
            state.running += 1
            return true
        }
    }

    /// Returns a slot, handing it straight to the next waiter if there is one.
    public func leave() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if let waiter = state.waiters.popFirst() { return waiter.continuation }
            state.running -= 1
            return nil
        }
        next?.resume(returning: true)
    }

    private var overloaded: GuestFailure {
        GuestFailure(.overloaded, "too many requests: \(maxConcurrency) running and \(maxQueue) waiting")
    }
}
