import SwiftletCore

/// Bounds how many requests a component runs at once and how many may wait.
///
/// Past both bounds a request is refused at once (the HTTP trigger answers 503) rather than
/// queued without limit: an overloaded component sheds load instead of exhausting memory.
public final class AdmissionGate: Sendable {
    private struct State {
        var machine: AdmissionMachine
        /// Waiters whose tasks have suspended.
        var continuations: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Waiters decided (admitted or cancelled) before their tasks suspended.
        var decided: [UInt64: Bool] = [:]

        /// Hands the decision to the waiter, or keeps it until the waiter suspends.
        mutating func decide(_ id: UInt64, _ admitted: Bool) -> CheckedContinuation<Bool, Never>? {
            if let continuation = continuations.removeValue(forKey: id) { return continuation }
            decided[id] = admitted
            return nil
        }
    }

    private let state: Locked<State>
    private let refusal: String

    public init(maxConcurrency: Int, maxQueue: Int) {
        let machine = AdmissionMachine(maxConcurrency: maxConcurrency, maxQueue: maxQueue)
        state = Locked(State(machine: machine))
        refusal = "too many requests: \(machine.maxConcurrency) running and \(machine.maxQueue) waiting"
    }

    /// Takes a slot, waiting in line if needed; throws ``GuestFailure/Kind/overloaded``
    /// when the line is full or the waiting task is cancelled.
    public func enter() async throws(GuestFailure) {
        switch state.withLock({ $0.machine.enter() }) {
        case .admitted:
            return
        case .refused:
            throw GuestFailure(.overloaded, refusal)
        case .queued(let id):
            let admitted = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let decided = state.withLock { state -> Bool? in
                        if let decided = state.decided.removeValue(forKey: id) { return decided }
                        state.continuations[id] = continuation
                        return nil
                    }
                    if let decided { continuation.resume(returning: decided) }
                }
            } onCancel: {
                let waiting = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                    guard state.machine.cancel(id) else { return nil }
                    return state.decide(id, false)
                }
                waiting?.resume(returning: false)
            }
            guard admitted else { throw GuestFailure(.overloaded, refusal) }
        }
    }

    /// Takes a slot only if one is free now; for callers that cannot wait (a guest invoking
    /// another component synchronously).
    public func tryEnter() -> Bool {
        state.withLock { $0.machine.tryEnter() }
    }

    /// Returns a slot, handing it straight to the next waiter if there is one.
    public func leave() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let id = state.machine.leave() else { return nil }
            return state.decide(id, true)
        }
        next?.resume(returning: true)
    }
}
