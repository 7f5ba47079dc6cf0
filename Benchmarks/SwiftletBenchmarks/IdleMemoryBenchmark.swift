import AsyncHTTPClient
import Foundation
import SwiftletRuntime

/// Resident memory an idle component costs, on each tier: the release binary serving one
/// copy of a quick-start component and then twenty-one, each having served one request (so
/// a handler holds its warm instance and every component its prewarmed supply); the
/// difference divided by twenty.
struct IdleMemoryBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport
    let extra = 20

    func run() async throws {
        for tier in EngineTiers.available().engines.map(\.kind) {
            for (kind, source, executor) in [("Embedded Swift handler", paths.helloSwift, "handler"), ("C WAGI guest", paths.helloC, "wagi")] {
                let one = try await resident(copies: 1, source: source, executor: executor, engine: tier.rawValue)
                let many = try await resident(copies: 1 + extra, source: source, executor: executor, engine: tier.rawValue)
                report.line(
                    "\(tier): \(kind): \(format(one, 1)) MB with one, \(format(many, 1)) MB with \(1 + extra): "
                        + "\(format((many - one) / Double(extra) * 1024, 0)) KB per idle component")
            }
        }
    }

    func resident(copies: Int, source: String, executor: String, engine: String) async throws -> Double {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-idle-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var manifest = "name: idle\ncomponents:\n"
        for index in 0..<copies {
            manifest += "  c\(index): { source: \(source), executor: \(executor), limits: { memory: 16Mi, timeout: 5s } }\n"
        }
        manifest += "triggers:\n  http:\n" + (0..<copies).map { "    - { route: /c\($0), component: c\($0) }\n" }.joined()
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("swiftlet.yaml"))
        let port = 29_700
        let process = Process()
        process.executableURL = URL(fileURLWithPath: paths.swiftletBinary)
        process.arguments = [
            "up", directory.appendingPathComponent("swiftlet.yaml").path, "--listen", "127.0.0.1:\(port)", "--no-dapr",
            "--log-level", "error", "--engine", engine,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let start = Date()
        while !isListening(port: port) {
            guard Date().timeIntervalSince(start) < 30 else { throw BenchmarkError("swiftlet did not listen within 30 s") }
            try await Task.sleep(for: .milliseconds(10))
        }
        for index in 0..<copies {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/c\(index)"), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else { throw BenchmarkError("/c\(index) answered \(response.status)") }
        }
        // Prewarmers refill in the background: let them finish before reading.
        try await Task.sleep(for: .seconds(2))
        return residentMegabytes(pid: process.processIdentifier) ?? .nan
    }
}
