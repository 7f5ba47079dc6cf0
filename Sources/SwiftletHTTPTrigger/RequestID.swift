import Synchronization

/// Short, unique-per-process request ids: a random process prefix and a counter.
enum RequestIDGenerator {
    private static let prefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let value = counter.add(1, ordering: .relaxed).newValue
        return "\(prefix)-\(value)"
    }
}
