import SwiftletABI

/// Sequential latency samples in milliseconds, and how they are printed.
enum Latency {
    static func sample(_ count: Int, _ body: () async throws -> Void) async throws -> [Double] {
        var times: [Double] = []
        times.reserveCapacity(count)
        for _ in 0..<count {
            let start = MonotonicClock.now()
            try await body()
            times.append(Double(MonotonicClock.now() - start) / 1e6)
        }
        return times
    }

    static func p50(_ times: [Double]) -> Double { times.sorted()[times.count / 2] }
    static func p99(_ times: [Double]) -> Double { times.sorted()[times.count * 99 / 100] }

    /// "p50 / p99" in milliseconds.
    static func stats(_ times: [Double]) -> String {
        "\(format(p50(times), 3)) / \(format(p99(times), 3))"
    }

    /// A table row: label, p50, p99.
    static func row(_ label: String, _ times: [Double], width: Int = 32) -> String {
        label.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %6.3f   %6.3f", p50(times), p99(times))
    }
}
