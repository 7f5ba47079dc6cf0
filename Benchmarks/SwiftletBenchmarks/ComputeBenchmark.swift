import Foundation
import SwiftletABI
import SwiftletRuntime

/// Guest compute against native code: the same C source (guests/compute) built with
/// `clang -O2` for this machine and for wasm32-wasi, run natively and with `swiftlet run` on
/// each tier. The outputs must agree; times are wall clock of the whole process, so the
/// `swiftlet run` start-up (shown first, with a guest that does nothing) is included.
struct ComputeBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport

    static let programs: [(name: String, argument: String)] = [("fib", "40"), ("sha256", "64"), ("nbody", "5000000")]

    func run() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-compute-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let tiers = EngineTiers.available().engines.map(\.kind)
        let startup = try tiers.map { tier in
            try Self.best(of: 3) { try run(paths.swiftletBinary, ["run", "--engine", tier.rawValue, paths.helloC]).seconds }
        }
        report.line(
            "swiftlet run start-up (hello-c.wasm): "
                + zip(tiers, startup).map { "\($0.0) \(format($0.1 * 1000, 0)) ms" }.joined(separator: ", "))
        report.line("program            native s   " + tiers.map { "\($0.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) s    ratio" }.joined(separator: "   "))
        for (name, argument) in Self.programs {
            let source = paths.repository.appendingPathComponent("guests/compute/\(name).c").path
            let wasm = paths.repository.appendingPathComponent("guests/build/\(name).wasm").path
            guard FileManager.default.fileExists(atPath: wasm) else {
                throw BenchmarkError("\(wasm) is missing: run scripts/build-guests.sh tests first")
            }
            let native = work.appendingPathComponent(name).path
            let compiled = try run("/usr/bin/env", ["clang", "-O2", source, "-o", native, "-lm"])
            guard compiled.status == 0 else { throw BenchmarkError("clang failed on \(source): \(compiled.output)") }
            var expected = ""
            let nativeSeconds = try Self.best(of: 3) {
                let result = try run(native, [argument])
                expected = result.output
                return result.seconds
            }
            var row = "\(name) \(argument)".padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: " %8.3f", nativeSeconds)
            for tier in tiers {
                // Compilation is cached on disk by Wasmtime; the first run fills the cache.
                let runs = tier == .wasmtime ? 3 : 1
                if tier == .wasmtime { _ = try run(paths.swiftletBinary, ["run", "--engine", tier.rawValue, wasm, argument]) }
                let seconds = try Self.best(of: runs) {
                    let result = try run(paths.swiftletBinary, ["run", "--engine", tier.rawValue, wasm, argument])
                    guard result.output == expected else {
                        throw BenchmarkError("\(name) on \(tier) printed \(result.output.debugDescription), natively \(expected.debugDescription)")
                    }
                    return result.seconds
                }
                row += String(format: "   %9.3f   %6.2fx", seconds, seconds / nativeSeconds)
            }
            report.line(row)
        }
    }

    static func best(of runs: Int, _ body: () throws -> Double) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs { best = min(best, try body()) }
        return best
    }

    /// Runs a program to its end: wall-clock seconds, exit status and standard output.
    func run(_ executable: String, _ arguments: [String]) throws -> (seconds: Double, status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let start = MonotonicClock.now()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        return (seconds, process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
