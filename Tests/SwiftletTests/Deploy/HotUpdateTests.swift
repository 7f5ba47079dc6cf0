import Foundation
import Testing

/// Versions swapped on a running `swiftlet up` through the admin API and `swiftlet deploy`:
/// under load nothing fails, canaries split traffic, rollbacks return.
@Suite(.serialized) struct HotUpdateTests {
    let token = "admin-s3cret"

    /// Two versions of one app: v1 answers /hello from Embedded Swift, v2 from C (WAGI).
    func writeVersions(in directory: URL) throws -> (v1: String, v2: String) {
        func write(_ version: String, module: String, executor: String) throws -> String {
            let app = directory.appendingPathComponent("v\(version)")
            try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Paths.example("hello/\(module)"), toPath: app.appendingPathComponent(module).path)
            try Data(
                """
                name: greeter
                version: \(version).0.0
                components:
                  hello: { source: \(module), executor: \(executor), limits: { timeout: 5s } }
                triggers:
                  http:
                    - { route: /hello, component: hello }
                """.utf8
            ).write(to: app.appendingPathComponent("swiftlet.yaml"))
            return app.path
        }
        return (try write("1", module: "hello-swift.wasm", executor: "handler"), try write("2", module: "hello-c.wasm", executor: "wagi"))
    }

    struct Running {
        let process: Subprocess
        let url: String
        let admin: String
    }

    /// `swiftlet up APP` with the admin API; `adminToken: ""` leaves the deployment API shut.
    func start(_ app: String, adminToken: String? = nil) async throws -> Running {
        let process = try Subprocess(
            try Paths.swiftletBinary(),
            ["up", app, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--no-dapr"],
            environment: ["SWIFTLET_ADMIN_TOKEN": adminToken ?? token])
        func url(_ marker: String) async throws -> String {
            let line = try await process.waitForStderr(containing: marker)
            return String(line[line.range(of: "http://")!.lowerBound...])
        }
        return Running(process: process, url: try await url("listening on http://"), admin: try await url("admin API on http://"))
    }

    func deploy(_ arguments: [String], admin: String) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await Subprocess.run(try Paths.swiftletBinary(), ["deploy"] + arguments + ["--admin", admin, "--token", token], timeout: 120)
    }

    static let swiftBody = "Hello from Embedded Swift, served by a warm handler instance\n"
    static let cBody = "Hello from C, served over WAGI\n"

    @Test func swapsUnderLoadFailNoRequest() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            Issue.record("wrk is not installed: apt-get install wrk (scripts/test.sh does)")
            return
        }
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (v1, v2) = try writeVersions(in: directory)
        let server = try await start(v1)
        #expect(try await TestServer.send(server.url + "/hello").body == Self.swiftBody)

        async let load = Subprocess.run("/usr/bin/wrk", ["-t2", "-c16", "-d6s", server.url + "/hello"], timeout: 60)
        try await Task.sleep(for: .seconds(1))
        let deployed = try await deploy([v2], admin: server.admin)
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(deployed.stdout.contains("v2  stable"), "\(deployed.stdout)")
        #expect(try await TestServer.send(server.url + "/hello").body == Self.cBody)
        try await Task.sleep(for: .seconds(1))
        let rolledBack = try await deploy(["--rollback"], admin: server.admin)
        #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
        #expect(try await TestServer.send(server.url + "/hello").body == Self.swiftBody)
        try await Task.sleep(for: .seconds(1))
        #expect(try await deploy([v2], admin: server.admin).status == 0)

        let wrk = try await load
        #expect(wrk.status == 0, "\(wrk.stderr)")
        let requests = wrk.stdout.split(separator: "\n").first { $0.contains("requests in") }.flatMap { Int($0.split(separator: " ")[0]) } ?? 0
        #expect(requests > 100, "wrk made too few requests to mean anything:\n\(wrk.stdout)")
        #expect(!wrk.stdout.contains("Non-2xx"), "failed requests during the swaps:\n\(wrk.stdout)")
        #expect(!wrk.stdout.contains("Socket errors"), "connection errors during the swaps:\n\(wrk.stdout)")

        // Both retired versions drained and closed.
        var state = try await TestServer.send(server.admin + "/v1/app", headers: [("Authorization", "Bearer \(token)")])
        let drained = Date().addingTimeInterval(Timing.bound(30))
        while state.body.contains("draining"), Date() < drained {
            try await Task.sleep(for: .milliseconds(100))
            state = try await TestServer.send(server.admin + "/v1/app", headers: [("Authorization", "Bearer \(token)")])
        }
        #expect(state.status == 200)
        #expect(state.body.contains(#""role":"stable""#), "\(state.body)")
        #expect(!state.body.contains("draining"), "\(state.body)")
        server.process.signal(SIGTERM)
        #expect(try await server.process.waitForExit() == 0)
    }

    @Test func canarySplitsTrafficThenPromotesOrRollsBack() async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (v1, v2) = try writeVersions(in: directory)
        let server = try await start(v1)

        func bodies(_ count: Int) async throws -> [String: Int] {
            var seen: [String: Int] = [:]
            for _ in 0..<count { seen[try await TestServer.send(server.url + "/hello").body, default: 0] += 1 }
            return seen
        }
        let canary = try await deploy([v2, "--canary", "50"], admin: server.admin)
        #expect(canary.status == 0, "\(canary.stderr)")
        #expect(canary.stdout.contains("v2  canary    50%"), "\(canary.stdout)")
        let split = try await bodies(200)
        #expect(split.keys.sorted() == [Self.cBody, Self.swiftBody].sorted())
        #expect((split[Self.cBody] ?? 0) > 40 && (split[Self.swiftBody] ?? 0) > 40, "about half each: \(split)")

        #expect(try await deploy(["--canary", "0"], admin: server.admin).status == 0)
        #expect(try await bodies(20) == [Self.swiftBody: 20])
        #expect(try await deploy(["--rollback"], admin: server.admin).status == 0, "drops the canary")
        #expect(try await deploy(["--promote"], admin: server.admin).stderr.contains("there is no canary"))

        #expect(try await deploy([v2, "--canary", "10"], admin: server.admin).status == 0)
        let promoted = try await deploy(["--promote"], admin: server.admin)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try await bodies(20) == [Self.cBody: 20])
        server.process.signal(SIGTERM)
        #expect(try await server.process.waitForExit() == 0)
    }

    @Test func theAdminAPIWantsItsTokenAndRefusesBadVersions() async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (v1, _) = try writeVersions(in: directory)
        let server = try await start(v1)
        #expect(try await TestServer.send(server.admin + "/v1/app").status == 401)
        #expect(try await TestServer.send(server.admin + "/v1/app", headers: [("Authorization", "Bearer wrong")]).status == 401)

        // Another app's manifest, and a broken one: refused, and v1 keeps serving.
        let other = directory.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("name: intruder\ncomponents:\n  x: { source: \(Paths.example("hello/hello-c.wasm")), executor: wagi }\n".utf8)
            .write(to: other.appendingPathComponent("swiftlet.yaml"))
        let refused = try await deploy([other.path], admin: server.admin)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("this server runs 'greeter'"), "\(refused.stderr)")
        let broken = directory.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("name: greeter\ncomponents:\n  hello: { source: missing.wasm }\n".utf8).write(to: broken.appendingPathComponent("swiftlet.yaml"))
        let missing = try await deploy([broken.path], admin: server.admin)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("missing.wasm"), "\(missing.stderr)")
        #expect(try await deploy(["--rollback"], admin: server.admin).stderr.contains("nothing to roll back to"))

        // Requests the API cannot act on: a clear 400 (or CLI error), nothing changes.
        let bearer = [("Authorization", "Bearer \(token)")]
        #expect(try await TestServer.send(server.admin + "/v1/deploy", method: .POST, headers: bearer, body: "{nope").status == 400)
        let noSource = try await TestServer.send(server.admin + "/v1/deploy", method: .POST, headers: bearer, body: "{}")
        #expect(noSource.status == 400)
        #expect(noSource.body.contains("needs"), "\(noSource.body)")
        let overweight = try await deploy([v1, "--canary", "150"], admin: server.admin)
        #expect(overweight.status == 1)
        #expect(overweight.stderr.contains("0 to 100"), "\(overweight.stderr)")
        #expect(try await deploy(["--canary", "50"], admin: server.admin).stderr.contains("there is no canary"))
        #expect(try await TestServer.send(server.url + "/hello").body == Self.swiftBody)
        server.process.signal(SIGTERM)
        #expect(try await server.process.waitForExit() == 0)

        // Without a token configured the deployment API is shut; metrics stay open.
        let closed = try await start(v1, adminToken: "")
        #expect(try await TestServer.send(closed.admin + "/v1/app", headers: bearer).status == 403)
        #expect(try await TestServer.send(closed.admin + "/metrics").status == 200)
        closed.process.signal(SIGTERM)
        #expect(try await closed.process.waitForExit() == 0)
    }
}
