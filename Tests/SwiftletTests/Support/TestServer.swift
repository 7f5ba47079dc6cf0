import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwiftletRuntime
import SwiftletWasmHost
import Testing

/// A real Swiftlet server on an ephemeral port, serving a manifest written for the test.
struct TestServer {
    let baseURL: String
    let logs: LogCapture
    /// The Dapr HTTP API's base URL and gRPC port, when the server runs with `dapr` options.
    var daprURL: String = ""
    var daprGRPCPort: Int = 0
    /// The server's `/metrics` text, as the admin port would serve it.
    var metrics: @Sendable () -> String = { "" }
    /// The engine host's count of live instances and their memory.
    var census = InstanceCensus()
    /// What the components' pools hold between requests, summed.
    var heldInstances: @Sendable () -> (instances: Int, bytes: Int) = { (0, 0) }

    /// Writes `manifest` into a temporary app directory (with `files`), starts the server
    /// and runs `body` against it; the server is drained and stopped afterwards.
    static func with<T>(
        engine: EngineKind? = nil, manifest: String, files: [String: String] = [:], workerThreads: Int? = nil, componentsDirectory: String? = nil,
        dapr: DaprOptions? = nil, _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (path, contents) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        let manifestURL = directory.appendingPathComponent("swiftlet.yaml")
        try Data(manifest.utf8).write(to: manifestURL)
        return try await serve(
            engine: engine, manifestPath: manifestURL.path,
            componentsDirectory: componentsDirectory.map { directory.appendingPathComponent($0).path },
            workerThreads: workerThreads, dapr: dapr, body)
    }

    /// Serves an app whose manifest is already on disk.
    static func serve<T>(
        engine: EngineKind? = nil, manifestPath: String, componentsDirectory: String? = nil, workerThreads: Int? = nil,
        dapr: DaprOptions? = nil, _ body: (TestServer) async throws -> T
    ) async throws -> T {
        if let engine { try Engines.require(engine) }
        let capture = LogCapture()
        let logger = capture.logger
        let app = try await LoadedApp.load(
            manifestPath: manifestPath, componentsDirectory: componentsDirectory, workerThreads: workerThreads,
            engine: engine, logger: logger)
        let server = SwiftletServer(app: app, listen: ListenAddress(host: "127.0.0.1", port: 0), dapr: dapr, logger: logger)
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await run(server, capture: capture, body))
        } catch {
            outcome = .failure(error)
        }
        await app.close()
        return try outcome.get()
    }

    /// Serves until `body` is done, then drains.
    private static func run<T>(_ server: SwiftletServer, capture: LogCapture, _ body: (TestServer) async throws -> T)
        async throws -> T
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.port()
            let result: Result<T, any Error>
            do {
                var test = TestServer(baseURL: "http://127.0.0.1:\(port)", logs: capture)
                test.metrics = { [app = server.app] in app.telemetry.render() }
                test.census = server.app.host.census
                test.heldInstances = { [components = server.app.components] in
                    components.values.map(\.heldInstances).reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
                }
                if server.sidecarEnabled {
                    let (http, grpc) = try await daprPorts(server)
                    test.daprURL = "http://127.0.0.1:\(http)"
                    test.daprGRPCPort = grpc
                }
                result = .success(try await body(test))
            } catch {
                result = .failure(error)
            }
            await server.shutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// Waits for the Dapr servers to bind their ephemeral ports.
    private static func daprPorts(_ server: SwiftletServer) async throws -> (Int, Int) {
        for _ in 0..<1000 {
            if case (let http?, let grpc?) = server.daprPorts { return (http, grpc) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("the Dapr APIs did not bind within 10 s")
    }

    /// Sends a request and collects the whole response.
    func request(
        _ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil,
        timeout: TimeAmount = Timing.requestTimeout
    ) async throws -> TestResponse {
        try await Self.send(baseURL + path, method: method, headers: headers, body: body, timeout: timeout)
    }

    static func send(
        _ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil,
        timeout: TimeAmount = Timing.requestTimeout
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await TestClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 256 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}

struct TestResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: String

    func header(_ name: String) -> String? { headers.first(name: name) }
}
