import AsyncHTTPClient
import Foundation
import SwiftletRuntime

/// Process start to first 200, and resident memory of the real binary, on each tier (on
/// Wasmtime the first run fills the compile cache; the median is of warm-cache starts).
struct ColdStartBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport
    let runs = 10

    func run() async throws {
        for tier in EngineTiers.available().engines.map(\.kind) {
            try await run(engine: tier.rawValue)
        }
    }

    func run(engine: String) async throws {
        var coldStarts: [Double] = []
        var rssAfterStart: [Double] = []
        var rssAfterLoad: [Double] = []
        for index in 0..<runs {
            let port = 29_000 + index
            let process = Process()
            process.executableURL = URL(fileURLWithPath: paths.swiftletBinary)
            process.arguments = [
                "up", "-f", paths.helloManifest, "--listen", "127.0.0.1:\(port)", "--dapr-http-port", "0", "--dapr-grpc-port", "0",
                "--log-level", "error", "--engine", engine,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let start = Date()
            try process.run()
            defer {
                process.terminate()
                process.waitUntilExit()
            }
            // Poll the Embedded Swift route until it answers.
            while true {
                if isListening(port: port), let status = try? await get("http://127.0.0.1:\(port)/swift"), status == 200 { break }
                guard Date().timeIntervalSince(start) < 10 else { throw BenchmarkError("swiftlet did not answer within 10 s") }
                try await Task.sleep(for: .microseconds(500))
            }
            coldStarts.append(Date().timeIntervalSince(start) * 1000)
            rssAfterStart.append(residentMegabytes(pid: process.processIdentifier) ?? .nan)
            for _ in 0..<200 {
                _ = try await get("http://127.0.0.1:\(port)/")
                _ = try await get("http://127.0.0.1:\(port)/swift")
            }
            rssAfterLoad.append(residentMegabytes(pid: process.processIdentifier) ?? .nan)
        }
        let sorted = coldStarts.sorted()
        report.line(
            "\(engine): cold start (process start to first 200 on /swift): median \(format(sorted[runs / 2], 1)) ms, "
                + "min \(format(sorted[0], 1)) ms, max \(format(sorted[runs - 1], 1)) ms over \(runs) runs")
        report.line(
            "\(engine): resident memory: \(format(median(rssAfterStart), 1)) MB after start (examples/hello loaded), "
                + "\(format(median(rssAfterLoad), 1)) MB after 400 requests")
    }

    func get(_ url: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }
}
