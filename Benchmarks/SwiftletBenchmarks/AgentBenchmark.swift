import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SwiftletABI
import SwiftletHTTPTrigger
import SwiftletMCP
import SwiftletRuntime
import SwiftletSandbox
import SwiftletWasmHost

/// The agent paths, each against its baseline in the same run: an MCP tool call to a C tool
/// (a fresh instance per call) against the same component over its HTTP route (also fresh);
/// `run_python` of a one-line script on each tier; and, when a model server answers
/// (`scripts/model-server.sh start`), Dapr's Conversation API against calling the model
/// server directly.
struct AgentBenchmark {
    let paths: BenchmarkPaths
    let report: BenchmarkReport
    let calls = 1000

    func run() async throws {
        try await mcp()
        try await python()
        try await conversation()
    }

    func mcp() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-agent-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = """
            name: bench
            components:
              echo: { source: \(paths.guests)/handler-echo.wasm, executor: handler, isolation: fresh }
            tools:
              echo: { component: echo, description: Echoes its arguments. }
            triggers:
              http:
                - { route: /echo, component: echo }
            """
        let manifestURL = directory.appendingPathComponent("swiftlet.yaml")
        try Data(manifest.utf8).write(to: manifestURL)
        let app = try await LoadedApp.load(manifestPath: manifestURL.path, logger: logger)
        let endpoint = MCPHTTPEndpoint(name: "bench", version: "1", token: nil) { app.tools }
        let server = SwiftletServer(
            app: app, listen: ListenAddress(host: "127.0.0.1", port: 0), nativeRoutes: [MCPHTTPEndpoint.path: endpoint.handler],
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let base = "http://127.0.0.1:\(try await server.port())"
            let arguments = #"{"city":"Paris","days":3}"#
            let call = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":\#(arguments)}}"#
            func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws {
                var request = HTTPClientRequest(url: base + path)
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                guard response.status.code == 200, text.contains("Paris") else {
                    throw BenchmarkError("\(path) answered \(response.status.code): \(text)")
                }
            }
            let mcpHeaders = [("accept", "application/json, text/event-stream"), ("mcp-protocol-version", "2025-06-18")]
            for _ in 0..<50 {
                try await post("/echo", arguments)
                try await post("/mcp", call, headers: mcpHeaders)
            }
            let http = try await Latency.sample(calls) { try await post("/echo", arguments) }
            let tool = try await Latency.sample(calls) { try await post("/mcp", call, headers: mcpHeaders) }
            let direct = try await Latency.sample(calls) {
                let outcome = await app.tools.call("echo", arguments: Array(arguments.utf8))
                guard !outcome.isError else { throw BenchmarkError("the tool failed: \(outcome.text)") }
            }
            report.line("C tool, fresh instance per call (\(app.components["echo"]?.engine.rawValue ?? "?")), \(calls) sequential calls:")
            report.line(Latency.row("  HTTP route (baseline)", http))
            report.line(Latency.row("  MCP tools/call over /mcp", tool))
            report.line(Latency.row("  AppTools.call, in process", direct))
            report.line(
                "  MCP overhead over the HTTP route: p50 \(format(Latency.p50(tool) - Latency.p50(http), 3)) ms, "
                    + "p99 \(format(Latency.p99(tool) - Latency.p99(http), 3)) ms")
            await server.shutdown()
            try await group.waitForAll()
        }
        await app.close()
    }

    func python() async throws {
        let installation: PythonInstallation
        do {
            installation = try PythonInstallation.located()
        } catch {
            report.line("run_python: skipped: \(error)")
            return
        }
        let host = WasmHost(tiers: EngineTiers.available(), workerThreads: 2)
        defer { host.shutdown() }
        for tier in host.engines.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let sandbox = try PythonSandbox(host: host, installation: installation, engine: .kind(tier))
            for _ in 0..<3 { _ = await sandbox.run("print(sum(range(10)))") }
            let times = try await Latency.sample(tier == .wasmkit ? 10 : 40) {
                let result = await sandbox.run("print(sum(range(10)))")
                guard result.stdout == "45\n" else { throw BenchmarkError("run_python answered \(result)") }
            }
            report.line(Latency.row("run_python print(sum(range(10))), \(tier.rawValue)", times, width: 48))
        }
    }

    func conversation() async throws {
        let endpoint = ProcessInfo.processInfo.environment["SWIFTLET_TEST_MODEL_URL"] ?? "http://127.0.0.1:18080/v1"
        guard (try? await HTTPClient.shared.execute(HTTPClientRequest(url: endpoint + "/models"), timeout: .seconds(2)))?.status == .ok else {
            report.line("conversation: skipped: no model server at \(endpoint) (scripts/model-server.sh start)")
            return
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-conv-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("components"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("name: conv\ncomponents:\n  echo: { source: \(paths.guests)/handler-echo.wasm, executor: handler }\n".utf8)
            .write(to: directory.appendingPathComponent("swiftlet.yaml"))
        try Data("""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: { name: llm }
            spec:
              type: conversation.openai
              version: v1
              metadata:
                - { name: endpoint, value: "\(endpoint)" }
                - { name: model, value: smollm2-135m }
            """.utf8).write(to: directory.appendingPathComponent("components/llm.yaml"))
        let app = try await LoadedApp.load(manifestPath: directory.appendingPathComponent("swiftlet.yaml").path, logger: logger)
        let server = SwiftletServer(
            app: app, listen: ListenAddress(host: "127.0.0.1", port: 0), dapr: DaprOptions(httpPort: 0, grpcPort: 0), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            _ = try await server.port()
            var daprPort: Int?
            for _ in 0..<500 where daprPort == nil {
                daprPort = server.daprPorts.http
                if daprPort == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            guard let daprPort else { throw BenchmarkError("the Dapr HTTP API did not bind") }
            func post(_ url: String, _ body: String) async throws {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                _ = try await response.body.collect(upTo: 1 << 20)
                guard response.status.code == 200 else { throw BenchmarkError("\(url) answered \(response.status.code)") }
            }
            let prompt = "Say hello."
            let direct = #"{"model":"smollm2-135m","max_tokens":8,"temperature":0,"messages":[{"role":"user","content":"\#(prompt)"}]}"#
            let dapr = #"{"maxTokens":8,"temperature":0,"inputs":[{"messages":[{"ofUser":{"content":[{"text":"\#(prompt)"}]}}]}]}"#
            let daprURL = "http://127.0.0.1:\(daprPort)/v1.0-alpha2/conversation/llm/converse"
            for _ in 0..<3 {
                try await post(endpoint + "/chat/completions", direct)
                try await post(daprURL, dapr)
            }
            let raw = try await Latency.sample(20) { try await post(endpoint + "/chat/completions", direct) }
            let api = try await Latency.sample(20) { try await post(daprURL, dapr) }
            report.line("SmolLM2-135M, 8 tokens, 20 sequential calls:")
            report.line(Latency.row("  model server directly (baseline)", raw, width: 40))
            report.line(Latency.row("  Dapr Conversation API (alpha2, HTTP)", api, width: 40))
            report.line("  overhead: p50 \(format(Latency.p50(api) - Latency.p50(raw), 3)) ms")
            await server.shutdown()
            try await group.waitForAll()
        }
        await app.close()
    }
}
