import Foundation
import Hummingbird
import Logging
import SwiftletHTTPTrigger
import SwiftletRuntime

/// Native route vs the Embedded Swift handler and the C WAGI guest of examples/hello on each
/// engine tier the machine has, on one in-process server.
struct ThroughputBenchmark {
    let paths: BenchmarkPaths
    let options: BenchmarkOptions
    let report: BenchmarkReport

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let tiers = EngineTiers.available().engines.map(\.kind)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-throughput-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The quick-start components once per tier, with the example's limits.
        var components = ""
        var routes: [(String, String)] = [("native Swift route", "/native")]
        var triggers = ""
        for tier in tiers {
            components += """
                  swift-\(tier): { source: \(paths.helloSwift), executor: handler, engine: \(tier), limits: { memory: 16Mi, timeout: 5s } }
                  c-\(tier): { source: \(paths.helloC), executor: wagi, engine: \(tier), limits: { memory: 16Mi, timeout: 5s } }

                """
            triggers += """
                    - { route: /\(tier)/swift, component: swift-\(tier) }
                    - { route: /\(tier)/c, component: c-\(tier) }

                """
            routes += [("\(tier): Embedded Swift handler", "/\(tier)/swift"), ("\(tier): C WAGI guest", "/\(tier)/c")]
        }
        let manifest = directory.appendingPathComponent("swiftlet.yaml")
        try Data("name: throughput\ncomponents:\n\(components)triggers:\n  http:\n\(triggers)".utf8).write(to: manifest)
        let app = try await LoadedApp.load(manifestPath: manifest.path, logger: logger)
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
            report.line("route                                req/s     ratio   p50 ms   p99 ms   errors")
            for (index, (name, _)) in routes.enumerated() {
                let runs = samples[index]
                let rps = median(runs.map(\.requestsPerSecond))
                report.line(
                    name.padding(toLength: 34, withPad: " ", startingAt: 0)
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
