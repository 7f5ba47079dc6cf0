import Foundation
import SwiftletABI
import SwiftletRuntime
import SwiftletWasmHost

/// Cost of a never-used instance of each example guest: instantiating it and serving one
/// request, on the request path (lazy translation) and prepared ahead (eager translation).
struct FreshInstanceBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport
    let iterations = 300

    func run() throws {
        for engine in EngineTiers.available().engines {
            try run(on: engine)
        }
    }

    func run(on engine: any GuestEngine) throws {
        for (name, path, entry) in [
            ("Embedded Swift handler", paths.helloSwift, GuestEntry.handler), ("C WAGI guest", paths.helloC, .command),
        ] {
            guard let bytes = FileManager.default.contents(atPath: path) else { throw BenchmarkError("cannot read \(path)") }
            let module = try engine.loadModule(bytes: [UInt8](bytes), name: name, meterFuel: false)
            let size = bytes.count
            let request = GuestRequest(method: "GET", path: "/")
            var lazyTotal: UInt64 = 0
            var aheadInstantiate: UInt64 = 0
            var aheadRun: UInt64 = 0
            for round in 0..<(iterations + 20) {
                for prepareAhead in [false, true] {
                    let session = GuestSession(stdout: .capture(limit: 1 << 20), stderr: .discard)
                    let start = MonotonicClock.now()
                    let instance = try module.instantiate(
                        InstanceOptions(memoryLimit: 64 << 20), session: session, prepareAhead: prepareAhead)
                    let ready = MonotonicClock.now()
                    session.begin(GuestCall(request: request, maxResponseBytes: 1 << 20, deadline: nil))
                    _ = try instance.run(entry, fuel: nil, deadline: nil, memoryLimit: 64 << 20)
                    session.end()
                    let done = MonotonicClock.now()
                    instance.close()
                    guard round >= 20 else { continue }  // warm-up
                    if prepareAhead {
                        aheadInstantiate += ready - start
                        aheadRun += done - ready
                    } else {
                        lazyTotal += done - start
                    }
                }
            }
            let n = Double(iterations) * 1000
            report.line(
                "\(engine.kind): \(name) (\(size) bytes): on the request path \(format(Double(lazyTotal) / n, 1)) us; "
                    + "prepared ahead \(format(Double(aheadInstantiate) / n, 1)) us off-path + \(format(Double(aheadRun) / n, 1)) us per request")
        }
    }
}
