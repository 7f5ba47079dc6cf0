import Foundation
import NIOHTTP1
import SwiftletWasmHost
import Testing

/// The real `swiftlet up` process keeps a flat resident size however its instances end:
/// the acceptance numbers of the instance-leak fix, measured from outside as an operator
/// would (`/proc/PID/statm` and `/metrics`).
@Suite(.serialized) struct ResidentMemoryTests {
    /// A generous bound: allocator caches and arenas are allowed to grow a little, a leak
    /// of 4 MiB per request (the defect this guards against) is not.
    static let bound = 64 << 20

    struct Running {
        let process: Subprocess
        let url: String
        let admin: String

        var residentBytes: Int {
            get throws {
                let statm = try String(contentsOfFile: "/proc/\(process.pid)/statm", encoding: .utf8)
                let pages = Int(statm.split(separator: " ")[1])!
                return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
            }
        }

        func send(_ path: String, times: Int, status: Int) async throws {
            for _ in 0..<times {
                let response = try await TestServer.send(url + path)
                #expect(response.status == status, "\(path): \(response.body)")
            }
        }

        /// A gauge from `/metrics`.
        func gauge(_ name: String) async throws -> Double {
            let text = try await TestServer.send(admin + "/metrics").body
            let sample = try PrometheusText(text).samples.first { $0.name == name }
            return try #require(sample, "\(name) is on /metrics").value
        }
    }

    static func writeApp(in directory: URL) throws {
        for guest in ["toucher", "misbehave"] {
            try FileManager.default.copyItem(
                atPath: try Paths.guest(guest), toPath: directory.appendingPathComponent("\(guest).wasm").path)
        }
        try Data(
            """
            name: resident
            components:
              toucher: { source: toucher.wasm, executor: wagi, limits: { memory: 64Mi, timeout: 20s } }
              recycled:
                source: misbehave.wasm
                executor: handler
                pool: { max_requests: 1 }
                limits: { memory: 64Mi }
              trapping: { source: misbehave.wasm, executor: handler }
            triggers:
              http:
                - { route: /touch, component: toucher }
                - { route: /recycled/:what, component: recycled }
                - { route: /trapping/:what, component: trapping }
            """.utf8
        ).write(to: directory.appendingPathComponent("swiftlet.yaml"))
    }

    static func start(_ app: String, engine: EngineKind) async throws -> Running {
        try Engines.require(engine)
        let process = try Subprocess(
            try Paths.swiftletBinary(),
            ["up", app, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--no-dapr", "--engine", engine.rawValue],
            environment: ["SWIFTLET_ADMIN_TOKEN": "memory"])
        func url(_ marker: String) async throws -> String {
            let line = try await process.waitForStderr(containing: marker)
            return String(line[line.range(of: "http://")!.lowerBound...])
        }
        return Running(process: process, url: try await url("listening on http://"), admin: try await url("admin API on http://"))
    }

    /// Sends `warmup` requests, reads the resident size, sends `count` more and checks the
    /// size stayed within the bound.
    static func expectFlat(_ server: Running, _ path: String, warmup: Int, count: Int, status: Int = 200) async throws {
        try await server.send(path, times: warmup, status: status)
        let before = try server.residentBytes
        try await server.send(path, times: count, status: status)
        let after = try server.residentBytes
        #expect(
            after - before < bound,
            "\(path): resident \(before >> 20) MiB after \(warmup) requests, \(after >> 20) MiB after \(warmup + count)")
    }

    @Test(arguments: Engines.all) func residentMemoryStaysFlatWhateverTheInstancesDo(engine: EngineKind) async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.writeApp(in: directory)
        let server = try await Self.start(directory.path, engine: engine)
        defer { server.process.signal(SIGTERM) }
        // Pools fill on a background thread, slowly on a loaded machine: at rest once the
        // count has held still for a second (one unchanged reading 200 ms apart was seen to
        // catch a prewarmer mid-fill in CI).
        var atRest = try await server.gauge("swiftlet_instances_live")
        var unchanged = 0
        for _ in 0..<150 where unchanged < 5 {
            try await Task.sleep(for: .milliseconds(200))
            let now = try await server.gauge("swiftlet_instances_live")
            unchanged = now == atRest ? unchanged + 1 : 0
            atRest = now
        }
        #expect(atRest > 0)
        #expect(try await server.gauge("process_resident_memory_bytes") > 0)

        try await Self.expectFlat(server, "/touch?mib=4", warmup: 10, count: 990)
        try await Self.expectFlat(server, "/touch?fill", warmup: 2, count: 20)
        try await Self.expectFlat(server, "/recycled/hog", warmup: 10, count: 300)
        try await Self.expectFlat(server, "/trapping/trap", warmup: 10, count: 300, status: 500)

        // A hot deploy of the same app: the old version's instances are freed once it
        // drains, so the census is back where a fresh start left it.
        let deploy = try await TestServer.send(
            server.admin + "/v1/deploy", method: .POST, headers: [("authorization", "Bearer memory")],
            body: #"{"source": "\#(directory.path)"}"#)
        #expect(deploy.status == 200, "deploy: \(deploy.body)")
        let deadline = Date().addingTimeInterval(Timing.bound(20))
        var live = try await server.gauge("swiftlet_instances_live")
        while live != atRest, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            live = try await server.gauge("swiftlet_instances_live")
        }
        #expect(live == atRest, "after a hot deploy: \(live) live instances, \(atRest) at start")
    }
}
