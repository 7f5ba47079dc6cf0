import AsyncHTTPClient
import Foundation
import SwiftletABI
import SwiftletCore

/// 100,000 requests (by default) through one release `swiftlet up` serving the quick-start
/// routes beside hostile guests (traps, loops, memory bombs, bad pointers, a WAGI guest that
/// touches 4 MiB, one that never ends). Prints resident memory at start, after 10k, halfway
/// and at the end, what the host still holds afterwards, and the latency of the
/// well-behaved handler route measured alone first and then in the mix, as a ratio.
struct SoakBenchmark {
    let paths: BenchmarkPaths
    let options: BenchmarkOptions
    let report: BenchmarkReport
    let concurrency = 16

    /// One request kind: its share of every 100 requests and the statuses it may answer.
    struct Kind: Sendable {
        let path: String
        let share: Int
        let expected: Set<Int>
    }

    static let kinds: [Kind] = [
        Kind(path: "/", share: 50, expected: [200]),  // C WAGI hello
        Kind(path: "/swift", share: 25, expected: [200]),  // Embedded Swift handler
        Kind(path: "/touch?mib=4", share: 10, expected: [200]),  // WAGI touching 4 MiB
        Kind(path: "/bad/trap", share: 4, expected: [500]),
        Kind(path: "/bad/bomb", share: 3, expected: [500]),  // fills its 32 MiB cap
        Kind(path: "/bad/badptr", share: 2, expected: [500]),
        Kind(path: "/bad/recurse", share: 2, expected: [500]),
        Kind(path: "/bad/loop", share: 2, expected: [504]),  // stopped at its deadline
        Kind(path: "/spin", share: 2, expected: [504]),  // a WAGI guest that never ends
    ]

    func run() async throws {
        let total = options.requests ?? 100_000
        let directory = try writeApp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = 29_500
        let adminPort = 29_501
        let process = Process()
        process.executableURL = URL(fileURLWithPath: paths.swiftletBinary)
        var arguments = [
            "up", directory.appendingPathComponent("swiftlet.yaml").path, "--listen", "127.0.0.1:\(port)", "--admin-listen",
            "127.0.0.1:\(adminPort)", "--no-dapr", "--log-level", "critical",
        ]
        if let engine = options.engine { arguments += ["--engine", engine] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(port)"
        let started = Date()
        while true {
            if isListening(port: port), (try? await get(base + "/swift").status) == 200 { break }
            guard Date().timeIntervalSince(started) < 20 else { throw BenchmarkError("swiftlet did not answer within 20 s") }
            try await Task.sleep(for: .milliseconds(10))
        }
        let pid = process.processIdentifier
        report.line("engine: \(options.engine ?? "auto"); \(total) requests, \(concurrency) concurrent clients; mix per 100: "
            + Self.kinds.map { "\($0.share) \($0.path)" }.joined(separator: ", "))

        // The well-behaved route alone, before any hostile request.
        let alone = try await Latency.sample(2000) { _ = try await get(base + "/swift") }
        let rssStart = residentMegabytes(pid: pid) ?? .nan
        report.line("resident memory at start (after 2,000 warm-up requests): \(format(rssStart, 1)) MB")

        let tally = Tally()
        let schedule = Self.schedule(total)
        let next = Locked(0)
        let checkpoints = [10_000, total / 2]
        let soakStart = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let index = next.withLock { value -> Int in
                            defer { value += 1 }
                            return value
                        }
                        guard index < total else { return }
                        let kind = Self.kinds[schedule[index % schedule.count]]
                        let start = MonotonicClock.now()
                        let status = (try? await get(base + kind.path).status) ?? 0
                        let milliseconds = Double(MonotonicClock.now() - start) / 1e6
                        tally.record(kind, status: status, milliseconds: milliseconds)
                        if checkpoints.contains(index + 1) {
                            let rss = residentMegabytes(pid: pid) ?? .nan
                            report.line("resident memory after \(index + 1) requests: \(format(rss, 1)) MB")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = Date().timeIntervalSince(soakStart)
        let rssEnd = residentMegabytes(pid: pid) ?? .nan
        report.line("resident memory at the end: \(format(rssEnd, 1)) MB (\(format(rssEnd - rssStart, 1)) MB over the start)")
        report.line("\(total) requests in \(format(elapsed, 1)) s (\(format(Double(total) / elapsed, 0)) req/s)")
        report.line("route".padding(toLength: 18, withPad: " ", startingAt: 0) + "   count  unexpected   p50 ms    p99 ms")
        for kind in Self.kinds {
            let times = tally.times(kind.path)
            report.line(
                kind.path.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + String(format: "  %6d  %10d  %7.2f  %8.2f", times.count, tally.unexpected(kind.path), Latency.p50(times),
                        Latency.p99(times)))
        }
        let mixed = tally.times("/swift")
        report.line(
            "well-behaved /swift: alone p50 \(format(Latency.p50(alone), 3)) ms / p99 \(format(Latency.p99(alone), 3)) ms; "
                + "in the hostile mix p50 \(format(Latency.p50(mixed), 3)) ms / p99 \(format(Latency.p99(mixed), 3)) ms "
                + "(\(format(Latency.p50(mixed) / Latency.p50(alone), 2))x alone at p50, with \(concurrency) clients sharing 2 cores)")
        let metrics = try await get("http://127.0.0.1:\(adminPort)/metrics").body
        let live = Self.gauge("swiftlet_instances_live", in: metrics)
        let bytes = Self.gauge("swiftlet_instance_memory_bytes", in: metrics)
        report.line("after the soak: \(format(live, 0)) instances live holding \(format(bytes / 1_048_576, 1)) MiB (warm pools and prewarmed supplies)")
        let unexpected = Self.kinds.map { tally.unexpected($0.path) }.reduce(0, +)
        if unexpected > 0 { report.line("UNEXPECTED STATUSES: \(unexpected) (\(tally.unexpectedStatuses()))") }
        if process.isRunning == false { throw BenchmarkError("the server died during the soak") }
    }

    /// The order of kinds in each block of 100, interleaved so every stretch is mixed.
    static func schedule(_ total: Int) -> [Int] {
        var slots: [(Double, Int)] = []
        for (index, kind) in kinds.enumerated() {
            for n in 0..<kind.share { slots.append(((Double(n) + 0.5) / Double(kind.share), index)) }
        }
        return slots.sorted { $0.0 < $1.0 }.map(\.1)
    }

    static func gauge(_ name: String, in text: String) -> Double {
        text.split(separator: "\n").filter { $0.hasPrefix(name) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    func writeApp() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-soak-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let guests = paths.repository.appendingPathComponent("guests/build")
        for guest in ["toucher", "misbehave", "spin"] {
            let source = guests.appendingPathComponent("\(guest).wasm").path
            guard FileManager.default.fileExists(atPath: source) else {
                throw BenchmarkError("\(source) is missing: run scripts/build-guests.sh all first")
            }
            try FileManager.default.copyItem(atPath: source, toPath: directory.appendingPathComponent("\(guest).wasm").path)
        }
        for example in ["hello-c", "hello-swift"] {
            try FileManager.default.copyItem(
                atPath: paths.repository.appendingPathComponent("examples/hello/\(example).wasm").path,
                toPath: directory.appendingPathComponent("\(example).wasm").path)
        }
        try Data(
            """
            name: soak
            components:
              hello-c: { source: hello-c.wasm, executor: wagi, limits: { memory: 16Mi, timeout: 5s } }
              hello-swift: { source: hello-swift.wasm, executor: handler, limits: { memory: 16Mi, timeout: 5s } }
              toucher: { source: toucher.wasm, executor: wagi, limits: { memory: 64Mi, timeout: 5s } }
              misbehave: { source: misbehave.wasm, executor: handler, limits: { memory: 32Mi, timeout: 200ms } }
              spin: { source: spin.wasm, executor: wagi, limits: { timeout: 200ms } }
            triggers:
              http:
                - { route: /, component: hello-c }
                - { route: /swift, component: hello-swift }
                - { route: /touch, component: toucher }
                - { route: /bad/:what, component: misbehave }
                - { route: /spin, component: spin }
            """.utf8
        ).write(to: directory.appendingPathComponent("swiftlet.yaml"))
        return directory
    }

    func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Per-route latencies and unexpected statuses, from every client.
    final class Tally: Sendable {
        struct State {
            var times: [String: [Double]] = [:]
            var unexpected: [String: Int] = [:]
            var statuses: [Int: Int] = [:]
        }
        let state = Locked(State())

        func record(_ kind: Kind, status: Int, milliseconds: Double) {
            state.withLock { state in
                state.times[kind.path, default: []].append(milliseconds)
                if !kind.expected.contains(status) {
                    state.unexpected[kind.path, default: 0] += 1
                    state.statuses[status, default: 0] += 1
                }
            }
        }

        func times(_ path: String) -> [Double] { state.withLock { $0.times[path] ?? [0] } }
        func unexpected(_ path: String) -> Int { state.withLock { $0.unexpected[path] ?? 0 } }
        func unexpectedStatuses() -> String {
            state.withLock { $0.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") }
        }
    }
}
