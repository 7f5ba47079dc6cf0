// Swiftlet benchmark: `swift run -c release SwiftletBenchmarks [--duration 10] [--only throughput|fresh|compute|python|ai|blocks|dapr|coldstart|idle|oci|soak]`.
//
// `--only soak [--requests 100000] [--engine wasmkit|wasmtime]` runs only the soak (it takes
// minutes, so a plain run leaves it out): the quick-start routes beside hostile guests,
// resident memory as it goes, and the well-behaved route's latency alone and in the mix.
//
// One run, one server: wrk throughput and latency for a native Swift route, the Embedded
// Swift handler and the C WAGI guest of examples/hello, as ratios to the native route;
// microseconds per fresh instance of each guest; cold start of the `swiftlet` binary to its
// first 200; resident memory; the Dapr APIs' readiness and latency against raw Redis and
// direct app calls; the OCI path (artifact size, pull and start from a local registry). Needs wrk (apt-get install wrk) and a release build of
// `swiftlet` (built alongside this executable by `swift run -c release`).
import Foundation

let options = BenchmarkOptions.parse(CommandLine.arguments.dropFirst())
let report = BenchmarkReport()

do {
    let paths = try BenchmarkPaths.locate()
    if options.includes("throughput") {
        report.section("Throughput (wrk -t2 -c\(options.connections) -d\(options.duration)s, one server)")
        try await ThroughputBenchmark(paths: paths, options: options, report: report).run()
    }
    if options.includes("fresh") {
        report.section("Fresh instances (instantiate + first call, per instance)")
        try FreshInstanceBenchmark(paths: paths, report: report).run()
    }
    if options.includes("compute") {
        report.section("Compute (same C source: clang -O2 native vs wasm32-wasi under `swiftlet run`, best wall time)")
        try ComputeBenchmark(paths: paths, report: report).run()
    }
    if options.includes("python") {
        report.section("CPython 3.11 for WASI as a WAGI handler (`print(1+1)`, a fresh instance per request)")
        try await PythonBenchmark(paths: paths, report: report).run()
    }
    if options.includes("ai") {
        report.section("Agents: MCP tool calls, run_python, the Conversation API")
        try await AgentBenchmark(paths: paths, report: report).run()
    }
    if options.includes("blocks") {
        report.section("State from a guest (ms per request, 2000 sequential calls, in-process)")
        try await BuildingBlockBenchmark(paths: paths, report: report).run()
    }
    if options.includes("dapr") {
        report.section("Dapr APIs (the swiftlet binary with Redis components and an app beside it)")
        try await DaprAPIBenchmark(paths: paths, report: report).run()
    }
    if options.includes("oci") {
        report.section("OCI artifacts (examples/hello through a local docker-registry)")
        try await OCIBenchmark(paths: paths, report: report).run()
    }
    if options.only == "soak" {
        report.section("Soak (hello routes beside hostile guests, one release server)")
        try await SoakBenchmark(paths: paths, options: options, report: report).run()
    }
    if options.includes("idle") {
        report.section("Resident memory per idle component (the swiftlet binary, 1 vs 21 copies)")
        try await IdleMemoryBenchmark(paths: paths, report: report).run()
    }
    if options.includes("coldstart") {
        report.section("Cold start and memory (the swiftlet binary serving examples/hello)")
        try await ColdStartBenchmark(paths: paths, report: report).run()
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
