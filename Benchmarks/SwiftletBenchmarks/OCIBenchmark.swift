import AsyncHTTPClient
import Foundation
import NIOCore

/// The OCI path of examples/hello against a local `docker-registry` started here: artifact
/// size, push time, and process start to first 200 when `swiftlet up oci://` pulls into a
/// clean cache, beside starting from the directory in the same run.
struct OCIBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport
    let runs = 7

    func run() async throws {
        let registryBinary = "/usr/bin/docker-registry"
        guard FileManager.default.isExecutableFile(atPath: registryBinary) else {
            throw BenchmarkError("docker-registry is not installed: apt-get install docker-registry")
        }
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("swiftlet-oci-bench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let registryPort = 29_500
        let config = work.appendingPathComponent("registry.yml")
        try Data(
            """
            version: 0.1
            log: { level: error }
            storage: { filesystem: { rootdirectory: \(work.path)/registry } }
            http: { addr: "127.0.0.1:\(registryPort)" }

            """.utf8
        ).write(to: config)
        let registry = try launch(registryBinary, ["serve", config.path])
        defer { registry.terminate(); registry.waitUntilExit() }
        while !isListening(port: registryPort) { try await Task.sleep(for: .milliseconds(20)) }

        let reference = "127.0.0.1:\(registryPort)/bench/hello:1"
        let pushStart = Date()
        let push = try launch(
            paths.swiftletBinary,
            ["push", reference, "-f", paths.helloManifest, "--insecure", "--cache-dir", work.appendingPathComponent("push-cache").path])
        push.waitUntilExit()
        guard push.terminationStatus == 0 else { throw BenchmarkError("swiftlet push failed") }
        let pushMilliseconds = Date().timeIntervalSince(pushStart) * 1000
        let artifactBytes = try await artifactSize(registry: "127.0.0.1:\(registryPort)", repository: "bench/hello", tag: "1")

        var fromDirectory: [Double] = []
        var fromRegistry: [Double] = []
        for index in 0..<runs {
            // Interleaved, so drift on the machine hits both alike.
            fromDirectory.append(try await startToFirst200(["-f", paths.helloManifest], port: 29_600 + index, work: work))
            let cache = work.appendingPathComponent("cache-\(index)").path
            fromRegistry.append(try await startToFirst200(
                ["oci://" + reference, "--insecure", "--cache-dir", cache], port: 29_700 + index, work: work))
        }
        let directory = Latency.p50(fromDirectory)
        let pulled = Latency.p50(fromRegistry)
        report.line("artifact size of examples/hello: \(artifactBytes) bytes (manifest + config + layers)")
        report.line("push to a local registry: \(format(pushMilliseconds, 1)) ms (one process, \(artifactBytes / 1024) KiB)")
        report.line("start to first 200, from the directory:            median \(format(directory, 1)) ms over \(runs) runs")
        report.line(
            "start to first 200, pulled into a clean cache:     median \(format(pulled, 1)) ms "
                + "(pull + verify + unpack adds \(format(pulled - directory, 1)) ms, \(format(pulled / directory)) x)")
    }

    func launch(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Milliseconds from `swiftlet up` to the first 200 on /swift.
    func startToFirst200(_ source: [String], port: Int, work: URL) async throws -> Double {
        let start = Date()
        let process = try launch(
            paths.swiftletBinary,
            ["up"] + source + [
                "--listen", "127.0.0.1:\(port)", "--no-dapr", "--log-level", "error", "--state-dir",
                work.appendingPathComponent("state-\(port)").path,
            ])
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var lastError: (any Error)?
        while true {
            if isListening(port: port) {
                do {
                    let response = try await HTTPClient.shared.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(port)/swift"), timeout: .seconds(5))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    if response.status == .ok { break }
                } catch {
                    lastError = error
                }
            }
            guard Date().timeIntervalSince(start) < 20 else {
                throw BenchmarkError("swiftlet up \(source) did not answer: \(String(describing: lastError))")
            }
            try await Task.sleep(for: .microseconds(500))
        }
        return Date().timeIntervalSince(start) * 1000
    }

    /// The image manifest plus every blob it names, as stored in the registry.
    func artifactSize(registry: String, repository: String, tag: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://\(registry)/v2/\(repository)/manifests/\(tag)")
        request.headers.add(name: "accept", value: "application/vnd.oci.image.manifest.v1+json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard let manifest = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let config = manifest["config"] as? [String: Any], let layers = manifest["layers"] as? [[String: Any]]
        else { throw BenchmarkError("cannot read the pushed manifest (\(response.status))") }
        return body.readableBytes + ([config] + layers).compactMap { $0["size"] as? Int }.reduce(0, +)
    }
}
