import Foundation

/// One wrk run's numbers.
struct WrkResult {
    let requestsPerSecond: Double
    let p50Milliseconds: Double
    let p99Milliseconds: Double
    let errors: Int
}

enum Wrk {
    static func run(url: String, duration: Int, connections: Int) throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["wrk", "-t2", "-c\(connections)", "-d\(duration)s", "--latency", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let rps = number(after: "Requests/sec:", in: output) else {
            throw BenchmarkError("wrk failed (is it installed? apt-get install wrk):\n\(output)")
        }
        let errors = output.split(separator: "\n").filter { $0.contains("Non-2xx") || $0.contains("Socket errors") }
            .compactMap { $0.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.first }
            .reduce(0, +)
        return WrkResult(
            requestsPerSecond: rps,
            p50Milliseconds: latency(percentile: "50%", in: output) ?? .nan,
            p99Milliseconds: latency(percentile: "99%", in: output) ?? .nan,
            errors: errors)
    }

    static func number(after label: String, in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        return line.split(separator: " ").compactMap { Double($0) }.first
    }

    /// wrk prints latency percentiles as `50%  1.23ms` (or us / s).
    static func latency(percentile: String, in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(percentile) }),
            let value = line.split(separator: " ").last
        else { return nil }
        let text = String(value)
        for (suffix, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }
}
