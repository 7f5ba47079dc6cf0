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
        let app = try await LoadedApp.load(manifestPath: paths.helloManifest, logger: logger)
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
            let routes = [("native Swift route", "/native"), ("Embedded Swift handler", "/swift"), ("C WAGI guest", "/")]
            for (_, path) in routes {
                _ = try Wrk.run(url: base + path, duration: 2, connections: options.connections)  // warm-up
            }
            // Rounds interleave the routes so that drift in the machine's speed (shared
            // cores, frequency) hits all of them alike; medians are reported.
            let rounds = 3
            let slice = max(1, options.duration / rounds)
            var samples: [[WrkResult]] = Array(repeating: [], count: routes.count)
            for _ in 0..<rounds {
                for (index, (_, path)) in routes.enumerated() {
                    samples[index].append(try Wrk.run(url: base + path, duration: slice, connections: options.connections))
                }
            }
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            let baseline = median(samples[0].map(\.requestsPerSecond))
            report.line("\(rounds) interleaved rounds of \(slice) s per route; medians")
            report.line("route                      req/s     ratio   p50 ms   p99 ms   errors")
            for (index, (name, _)) in routes.enumerated() {
                let runs = samples[index]
                let rps = median(runs.map(\.requestsPerSecond))
                report.line(
                    name.padding(toLength: 24, withPad: " ", startingAt: 0)
                        + String(
                            format: " %9.0f   %5.2fx   %6.3f   %6.3f   %d", rps, rps / baseline,
                            median(runs.map(\.p50Milliseconds)), median(runs.map(\.p99Milliseconds)),
                            runs.map(\.errors).reduce(0, +)))
            }
            await server.shutdown()
            try await group.waitForAll()
        }
        await app.close()
    }
}
