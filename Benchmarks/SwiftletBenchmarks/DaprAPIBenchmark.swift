import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import NIOCore
import NIOHTTP1
import SwiftletDaprProto
import SwiftletRedis

/// The real `swiftlet up` with Redis-backed Dapr components and an ordinary app beside it:
/// time from process start to `healthz/outbound`, state get through the gRPC and HTTP APIs
/// against a raw Redis round trip, and invocation through Swiftlet against calling the app
/// directly, all measured in one run and printed beside Dapr's published overheads.
struct DaprAPIBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport
    let samples = 2000
    let starts = 10

    // Fixed loopback ports: the benchmark is run by hand on a quiet machine.
    let appPort = 29_300
    let daprHTTPPort = 29_301
    let daprGRPCPort = 29_302
    let listenPort = 29_303
    let logPath = NSTemporaryDirectory() + "swiftlet-dapr-bench.log"

    /// Dapr's published p50 overheads (docs: "Performance and scalability statistics").
    static let daprStateGRPC = 0.12
    static let daprStateHTTP = 0.28
    static let daprInvoke = 1.06

    func run() async throws {
        let redis = RedisClient(configuration: RedisClient.Configuration(host: "127.0.0.1", port: 16379))
        guard (try? await redis.send(["PING"])) != nil else {
            throw BenchmarkError("Redis is not on 127.0.0.1:16379: start it with scripts/services.sh start")
        }
        let components = try writeComponents()
        let app = try await startApp()
        defer { app.cancel() }

        var readiness: [Double] = []
        for _ in 0..<starts {
            let start = Date()
            let process = try spawn(components: components)
            readiness.append(try await millisecondsUntilReady(since: start))
            process.terminate()
            process.waitUntilExit()
        }
        report.line(
            "process start -> healthz/outbound 204 (Redis components loaded): median \(format(Latency.p50(readiness), 1)) ms, "
                + "min \(format(readiness.min()!, 1)) ms over \(starts) starts")

        let process = try spawn(components: components)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        _ = try await millisecondsUntilReady(since: Date())
        try await measure(redis: redis)
        await redis.close()
    }

    private func measure(redis: RedisClient) async throws {
        let dapr = "http://127.0.0.1:\(daprHTTPPort)"
        let saved = try await send(dapr + "/v1.0/state/statestore", method: .POST, body: #"[{"key":"bench","value":"value"}]"#)
        guard saved == 204 else { throw BenchmarkError("saving state answered \(saved)") }
        let keys = try await redis.send(["KEYS", "*||bench"])
        guard case .array(let found?) = keys, case .bulk(let name?) = found.first else {
            throw BenchmarkError("the saved key is not in Redis")
        }

        try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: daprGRPCPort), transportSecurity: .plaintext)
        ) { client in
            let grpc = Dapr_Proto_Runtime_V1_Dapr.Client(wrapping: client)
            var getState = Dapr_Proto_Runtime_V1_GetStateRequest()
            getState.storeName = "statestore"
            getState.key = "bench"
            var invoke = Dapr_Proto_Runtime_V1_InvokeServiceRequest()
            invoke.id = "benchapp"
            invoke.message.method = "ping"
            invoke.message.httpExtension.verb = .get

            let cases: [(String, () async throws -> Void)] = [
                ("redis HGETALL (raw)", { _ = try await redis.send([Array("HGETALL".utf8), name]) }),
                ("state get via gRPC API", { _ = try await grpc.getState(getState) }),
                ("state get via HTTP API", { try await expect(200, dapr + "/v1.0/state/statestore/bench") }),
                ("app GET /ping (direct)", { try await expect(200, "http://127.0.0.1:\(appPort)/ping") }),
                ("invoke app via HTTP API", { try await expect(200, dapr + "/v1.0/invoke/benchapp/method/ping") }),
                ("invoke app via gRPC API", { _ = try await grpc.invokeService(invoke) }),
                ("Wasm /swift (direct)", { try await expect(200, "http://127.0.0.1:\(listenPort)/swift") }),
                ("invoke Wasm via HTTP API", { try await expect(200, dapr + "/v1.0/invoke/hello/method/swift") }),
            ]
            // Interleaved rounds, so drift on a shared machine hits every case alike.
            var times = Array(repeating: [Double](), count: cases.count)
            for _ in 0..<2 { for (_, body) in cases { try await body() } }  // warm connections
            let rounds = 5
            for _ in 0..<rounds {
                for (index, (_, body)) in cases.enumerated() {
                    times[index] += try await Latency.sample(samples / rounds, body)
                }
            }
            report.line("call (sequential, one client)      p50 ms   p99 ms")
            for (index, (label, _)) in cases.enumerated() { report.line(Latency.row(label, times[index], width: 34)) }

            let raw = Latency.p50(times[0])
            let direct = Latency.p50(times[3])
            report.line("")
            report.line("overhead at p50          Swiftlet   Dapr (published)")
            report.line(overhead("state get, gRPC", Latency.p50(times[1]) - raw, Self.daprStateGRPC))
            report.line(overhead("state get, HTTP", Latency.p50(times[2]) - raw, Self.daprStateHTTP))
            report.line(overhead("invoke, HTTP", Latency.p50(times[4]) - direct, Self.daprInvoke))
            report.line(overhead("invoke, gRPC", Latency.p50(times[5]) - direct, Self.daprInvoke))
        }
    }

    private func overhead(_ label: String, _ ours: Double, _ dapr: Double) -> String {
        label.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: " +%.3f ms  +%.2f ms", ours, dapr)
    }

    private func writeComponents() throws -> String {
        let directory = NSTemporaryDirectory() + "swiftlet-dapr-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(
            """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: statestore }
            spec:
              type: state.redis
              version: v1
              metadata:
                - { name: redisHost, value: "127.0.0.1:16379" }
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: pubsub }
            spec:
              type: pubsub.redis
              version: v1
              metadata:
                - { name: redisHost, value: "127.0.0.1:16379" }
            """.utf8
        ).write(to: URL(fileURLWithPath: directory + "/components.yaml"))
        return directory
    }

    /// The ordinary app: one route answering "pong".
    private func startApp() async throws -> Task<Void, any Error> {
        let router = Router()
        router.get("/ping") { _, _ in "pong" }
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: appPort)))
        let task = Task { try await application.runService(gracefulShutdownSignals: []) }
        for _ in 0..<500 {
            if (try? await send("http://127.0.0.1:\(appPort)/ping")) == 200 { return task }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchmarkError("the benchmark app did not start")
    }

    private func spawn(components: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: paths.swiftletBinary)
        process.arguments = [
            "up", "-f", paths.helloManifest, "--components", components, "--listen", "127.0.0.1:\(listenPort)",
            "--dapr-http-port", "\(daprHTTPPort)", "--dapr-grpc-port", "\(daprGRPCPort)",
            "--app-id", "benchapp", "--app-port", "\(appPort)", "--log-level", "error",
        ]
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        return process
    }

    private func millisecondsUntilReady(since start: Date) async throws -> Double {
        let url = "http://127.0.0.1:\(daprHTTPPort)/v1.0/healthz/outbound"
        while true {
            if isListening(port: daprHTTPPort), (try? await send(url)) == 204 { return Date().timeIntervalSince(start) * 1000 }
            guard Date().timeIntervalSince(start) < 10 else {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw BenchmarkError("healthz/outbound did not answer within 10 s; swiftlet said:\n\(log)")
            }
            try await Task.sleep(for: .microseconds(250))
        }
    }

    private func expect(_ status: Int, _ url: String) async throws {
        let got = try await send(url)
        guard got == status else { throw BenchmarkError("\(url) answered \(got), expected \(status)") }
    }

    private func send(_ url: String, method: NIOHTTP1.HTTPMethod = .GET, body: String? = nil) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}
