import Foundation
import Testing

@testable import SwiftletCLI

@Suite("swiftlet CLI")
struct CLITests {
    @Test func runParsesWasmtimeStyleFlags() throws {
        let parsed = try SwiftletCommand.parseAsRoot([
            "run", "--env", "A=1", "--env", "B=two=2", "--dir", "/tmp::/data", "-W", "fuel=10,timeout=2s",
            "mod.wasm", "--flag", "x",
        ])
        let run = try #require(parsed as? RunCommand)
        #expect(run.module == "mod.wasm")
        #expect(run.arguments == ["--flag", "x"])
        #expect(run.environment == ["A=1", "B=two=2"])
        #expect(run.directories == ["/tmp::/data"])
        #expect(run.limits == ["fuel=10,timeout=2s"])
        #expect(try RunCommand.mount("/tmp::/data").guestPath == "/data")
        #expect(try RunCommand.mount("/tmp").guestPath == "/tmp")
    }

    @Test(arguments: [[], ["up"], ["run"], ["new"], ["build"], ["push"], ["pull"], ["k8s"], ["deploy"], ["python"], ["mcp"]])
    func everyCommandHasHelp(_ command: [String]) async throws {
        let result = try await Subprocess.run(try Paths.swiftletBinary(), command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: swiftlet"))
    }

    @Test func pythonPrintsOutputAndPassesTheExitStatus() async throws {
        let binary = try Paths.swiftletBinary()
        let sum = try await Subprocess.run(binary, ["python", "--engine", "wasmtime", "-c", "print(sum(range(10)))"])
        #expect(sum.status == 0, "\(sum.stderr)")
        #expect(sum.stdout == "45\n")
        let failing = try await Subprocess.run(binary, ["python", "--engine", "wasmtime", "-c", "import sys; print('x', file=sys.stderr); sys.exit(4)"])
        #expect(failing.status == 4)
        #expect(failing.stderr == "x\n")
        let stopped = try await Subprocess.run(binary, ["python", "--engine", "wasmtime", "--timeout", "1s", "--json", "-c", "while True: pass"])
        #expect(stopped.status == 0, "--json reports instead of failing")
        #expect(stopped.stdout.contains("\"stoppedBy\":\"timeout\""))
        let both = try await Subprocess.run(binary, ["python", "-c", "1", "file.py"])
        #expect(both.status == 1)
        #expect(both.stderr.contains("either -c CODE or a file"))
    }

    @Test func runPassesStdioArgumentsEnvironmentAndExitCode() async throws {
        let echo = try Paths.guest("wagi-echo")
        let ok = try await Subprocess.run(
            try Paths.swiftletBinary(), ["run", "--env", "QUERY_STRING=", "--env", "COLOR=blue", echo, "first", "second"])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("argv[0]=\(echo)\nargv[1]=first\nargv[2]=second\n"))
        #expect(ok.stdout.contains("env COLOR=blue\n"))

        let exit3 = try await Subprocess.run(try Paths.swiftletBinary(), ["run", "--env", "QUERY_STRING=mode=exit3", echo])
        #expect(exit3.status == 3)
        #expect(exit3.stderr == "guest says goodbye on stderr\n")
    }

    @Test func runMountsDirectories() async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let staticDirectory = directory.appendingPathComponent("static")
        try FileManager.default.createDirectory(at: staticDirectory, withIntermediateDirectories: true)
        try Data("mounted\n".utf8).write(to: staticDirectory.appendingPathComponent("hello.txt"))
        let result = try await Subprocess.run(
            try Paths.swiftletBinary(), ["run", "--dir", "\(staticDirectory.path)::/static", try Paths.guest("files")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("read=mounted\n"))
        #expect(result.stdout.contains("write_readonly=ok\n"), "--dir is writable, as in Wasmtime")
    }

    @Test func runEnforcesLimitsWithAOneLineError() async throws {
        let result = try await Subprocess.run(
            try Paths.swiftletBinary(), ["run", "-W", "timeout=300ms", try Paths.guest("spin")], timeout: 10)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("timeout"))
        #expect(result.stderr.split(separator: "\n").count == 1)

        let missing = try await Subprocess.run(try Paths.swiftletBinary(), ["run", "/no/such/module.wasm"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: module.wasm: cannot read module file /no/such/module.wasm\n")
    }

    @Test func manifestErrorsAreOneLineWithPosition() async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("swiftlet.yaml")
        try Data("name: app\ncomponents:\n  web:\n    source: web.wasm\n    executor: wagi\n    limits:\n      memroy: 1Mi\n".utf8)
            .write(to: manifest)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("web.wasm").path, contents: Data())
        let result = try await Subprocess.run(try Paths.swiftletBinary(), ["up", "-f", manifest.path])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: \(manifest.path):7:7: components.web.limits.memroy: unknown field (did you mean 'memory'?); allowed here: memory, fuel, timeout, max_request_body, max_response_body, max_concurrency, max_queue, tokens\n"
        )
    }

    /// `swiftlet deploy` mistakes are one line before (or instead of) any admin call.
    @Test(arguments: [
        (["deploy", "--promote", "--admin", "http://127.0.0.1:1"], "error: the admin API needs a token: --token or SWIFTLET_ADMIN_TOKEN"),
        (["deploy", "./v2", "--promote", "--token", "t"], "error: give one of SOURCE (with or without --canary), --promote, --rollback"),
        (["deploy", "--promote", "--token", "t", "--admin", "http://127.0.0.1:1"], "error: cannot reach the admin API at http://127.0.0.1:1"),
    ])
    func deployErrorsAreOneLine(arguments: [String], message: String) async throws {
        let result = try await Subprocess.run(try Paths.swiftletBinary(), arguments, environment: ["SWIFTLET_ADMIN_TOKEN": ""])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    /// Tracing settings this build cannot honour stop `up` with the reason, before it serves.
    @Test func unsupportedTracingSettingsStopUp() async throws {
        let result = try await Subprocess.run(
            try Paths.swiftletBinary(), ["up", "-f", Paths.example("hello/swiftlet.yaml"), "--listen", "127.0.0.1:0", "--no-dapr",
                                          "--state-dir", NSTemporaryDirectory() + "swiftlet-otel-\(UUID().uuidString.prefix(8))"],
            environment: ["OTEL_TRACES_EXPORTER": "zipkin"], timeout: 30)
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot start tracing: OTEL_TRACES_EXPORTER=zipkin is not supported"), "\(result.stderr)")
    }

    @Test func sigtermDrainsInFlightRequestsThenExitsZero() async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("swiftlet.yaml")
        try Data(
            """
            name: slow
            components:
              sleeper: { source: \(try Paths.guest("sleeper")), executor: wagi, limits: { timeout: 10s } }
            triggers:
              http:
                - { route: /slow, component: sleeper }
            """.utf8
        ).write(to: manifest)
        let server = try Subprocess(try Paths.swiftletBinary(), ["up", "-f", manifest.path, "--listen", "127.0.0.1:0", "--dapr-http-port", "0", "--dapr-grpc-port", "0"])
        let line = try await server.waitForStderr(containing: "listening on http://")
        let url = String(line[line.range(of: "http://")!.lowerBound...])
        async let slow = TestServer.send(url + "/slow?1500")
        // The guest logs before it sleeps: the request is in flight when the signal comes.
        _ = try await server.waitForStderr(containing: "sleeping 1500 ms")
        server.signal(SIGTERM)
        let response = try await slow
        #expect(response.status == 200)
        #expect(response.body == "slept 1500 ms\n")
        #expect(try await server.waitForExit(timeout: 20) == 0)
    }

    @Test func noDaprServesOnlyTheAppRoutes() async throws {
        let binary = try Paths.swiftletBinary()
        let manifest = Paths.example("hello/swiftlet.yaml")
        let refused = try await Subprocess.run(binary, ["up", "-f", manifest, "--no-dapr", "--app-id", "x", "--app-port", "1"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "error: --app-id and --peers need the Dapr APIs (drop --no-dapr)\n")

        let server = try Subprocess(binary, ["up", "-f", manifest, "--listen", "127.0.0.1:0", "--no-dapr"])
        let line = try await server.waitForStderr(containing: "listening on http://")
        let url = String(line[line.range(of: "http://")!.lowerBound...])
        #expect(try await TestServer.send(url + "/swift").status == 200)
        #expect(!server.stderr.contains("Dapr"), "\(server.stderr)")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }

    @Test(arguments: ["c", "swift"])
    func newBuildUpServesTheTemplate(language: String) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = try Paths.swiftletBinary()
        let created = try await Subprocess.run(binary, ["new", language, "demo"], directory: directory.path)
        #expect(created.status == 0, "\(created.stderr)")
        let project = directory.appendingPathComponent("demo").path
        let built = try await Subprocess.run(binary, ["build"], directory: project, timeout: 180)
        #expect(built.status == 0, "\(built.stdout)\(built.stderr)")
        #expect(built.stdout.contains("demo: ./build.sh"))

        let server = try Subprocess(binary, ["up", "--listen", "127.0.0.1:0", "--dapr-http-port", "0", "--dapr-grpc-port", "0"], directory: project)
        let line = try await server.waitForStderr(containing: "listening on http://")
        let url = String(line[line.range(of: "http://")!.lowerBound...])
        let response = try await TestServer.send(url + "/hello/world")
        #expect(response.status == 200)
        #expect(response.body == "Hello, world!\n")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        let again = try await Subprocess.run(binary, ["new", language, "demo"], directory: directory.path)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
    }

    @Test func failingBuildCommandIsReported() async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("name: app\ncomponents:\n  web: { source: web.wasm, executor: wagi, build: { command: 'exit 4' } }\n".utf8)
            .write(to: directory.appendingPathComponent("swiftlet.yaml"))
        let result = try await Subprocess.run(try Paths.swiftletBinary(), ["build"], directory: directory.path)
        #expect(result.status == 1)
        #expect(result.stderr == "error: web: build command failed with exit status 4\n")
    }
}
