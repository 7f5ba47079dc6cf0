import AsyncHTTPClient
import Foundation
import Logging
import SwiftletABI
import SwiftletRuntime
import SwiftletSandbox

/// CPython 3.11 for WASI (scripts/install-python-sandbox.sh) as a WAGI handler on each tier:
/// latency of a one-line script, sequential and with four clients. Every request is a fresh
/// instance of a 20 MB module that reads its standard library from a preopened directory.
struct PythonBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport
    let sequential = 40

    func run() async throws {
        let installation: PythonInstallation
        do {
            installation = try PythonInstallation.located()
        } catch {
            throw BenchmarkError(error.description)
        }
        let home = installation.home
        let wasm = installation.interpreter
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let tiers = EngineTiers.available().engines.map(\.kind)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-python-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var manifest = "name: python\ncomponents:\n"
        for tier in tiers {
            manifest += """
                  python-\(tier):
                    source: \(wasm)
                    executor: wagi
                    engine: \(tier)
                    args: ["-c", "print('Content-Type: text/plain'); print(); print(1+1)"]
                    environment: { PYTHONHOME: / }
                    dirs: [{ source: \(home)/lib, destination: /lib }]
                    limits: { memory: 256Mi, timeout: 60s }

                """
        }
        manifest += "triggers:\n  http:\n" + tiers.map { "    - { route: /\($0), component: python-\($0) }\n" }.joined()
        let manifestURL = directory.appendingPathComponent("swiftlet.yaml")
        try Data(manifest.utf8).write(to: manifestURL)
        let loadStart = MonotonicClock.now()
        let app = try await LoadedApp.load(manifestPath: manifestURL.path, logger: logger)
        report.line("loading both components (compile, or the compile cache on Wasmtime): \(format(Double(MonotonicClock.now() - loadStart) / 1e6, 0)) ms")
        let server = SwiftletServer(app: app, listen: ListenAddress(host: "127.0.0.1", port: 0), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let base = "http://127.0.0.1:\(try await server.port())"
            report.line("engine      sequential p50 / p99 ms    4 clients p50 / p99 ms   req/s (4 clients)")
            for tier in tiers {
                let url = "\(base)/\(tier)"
                for _ in 0..<3 { try await expectTwo(url) }  // warm-up
                let alone = try await Latency.sample(sequential) { try await expectTwo(url) }
                let start = MonotonicClock.now()
                let shared = try await withThrowingTaskGroup(of: [Double].self) { clients in
                    for _ in 0..<4 {
                        clients.addTask { try await Latency.sample(sequential / 4) { try await expectTwo(url) } }
                    }
                    return try await clients.reduce(into: []) { $0 += $1 }
                }
                let seconds = Double(MonotonicClock.now() - start) / 1e9
                report.line(
                    tier.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + String(
                            format: "%8.1f / %-8.1f              %8.1f / %-8.1f         %5.1f", Latency.p50(alone), Latency.p99(alone),
                            Latency.p50(shared), Latency.p99(shared), Double(shared.count) / seconds))
            }
            await server.shutdown()
            try await group.waitForAll()
        }
        await app.close()
    }

    func expectTwo(_ url: String) async throws {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(120))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status.code == 200, body == "2\n" else {
            throw BenchmarkError("CPython answered \(response.status.code) \(body.debugDescription)")
        }
    }
}
