import Foundation
import Hummingbird
import Logging
import SwiftletHTTPTrigger
import SwiftletRuntime

/// Native route vs Embedded Swift handler vs C WAGI guest, on one in-process server.
struct ThroughputBenchmark {
    let paths: BenchmarkPaths
    let options: BenchmarkOptions
    let report: BenchmarkReport

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let app = try LoadedApp.load(manifestPath: paths.helloManifest, logger: logger)
        defer { app.close() }
        let native: @Sendable (Request, SwiftletRequestContext) async throws -> Response = { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "Hello from native Swift, served by the host\n")))
        }
        let server = SwiftletServer(
            app: app, listen: ListenAddress(host: "127.0.0.1", port: 0), nativeRoutes: ["/native": native],
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let base = "http://127.0.0.1:\(try await server.port())"
            var results: [(String, WrkResult)] = []
            for (name, path) in [("native Swift route", "/native"), ("Embedded Swift handler", "/swift"), ("C WAGI guest", "/")] {
                _ = try Wrk.run(url: base + path, duration: 2, connections: options.connections)  // warm-up
                results.append((name, try Wrk.run(url: base + path, duration: options.duration, connections: options.connections)))
            }
            let baseline = results[0].1.requestsPerSecond
            report.line("route                      req/s     ratio   p50 ms   p99 ms   errors")
            for (name, result) in results {
                report.line(
                    name.padding(toLength: 24, withPad: " ", startingAt: 0)
                        + String(format: " %9.0f   %5.2fx   %6.3f   %6.3f   %d", result.requestsPerSecond,
                                 result.requestsPerSecond / baseline, result.p50Milliseconds, result.p99Milliseconds,
                                 result.errors))
            }
            await server.shutdown()
            try await group.waitForAll()
        }
    }
}
