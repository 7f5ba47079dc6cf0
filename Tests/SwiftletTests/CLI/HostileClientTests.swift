import Foundation
import Testing

/// Clients that hold connections without doing their part — idle by the thousand, sending
/// a request a byte at a time, never reading the response — are cut off by the documented
/// timeouts, and a well-behaved client is served all along.
@Suite(.serialized) struct HostileClientTests {
    struct Running {
        let process: Subprocess
        let port: Int

        var residentBytes: Int {
            get throws {
                let statm = try String(contentsOfFile: "/proc/\(process.pid)/statm", encoding: .utf8)
                return Int(statm.split(separator: " ")[1])! * Int(sysconf(Int32(_SC_PAGESIZE)))
            }
        }

        func wellBehaved() async throws -> Int {
            try await TestServer.send("http://127.0.0.1:\(port)/hello", timeout: .seconds(10)).status
        }
    }

    static func start(_ timeouts: [String]) async throws -> Running {
        let directory = try Paths.temporaryDirectory()
        try FileManager.default.copyItem(
            atPath: try Paths.guest("wagi-echo"), toPath: directory.appendingPathComponent("echo.wasm").path)
        try FileManager.default.copyItem(
            atPath: Paths.example("hello/hello-c.wasm"), toPath: directory.appendingPathComponent("hello.wasm").path)
        try Data(
            """
            name: hostile
            components:
              hello: { source: hello.wasm, executor: wagi }
              echo: { source: echo.wasm, executor: wagi }
            triggers:
              http:
                - { route: /hello, component: hello }
                - { route: /echo, component: echo }
            """.utf8
        ).write(to: directory.appendingPathComponent("swiftlet.yaml"))
        let process = try Subprocess(
            try Paths.swiftletBinary(), ["up", directory.path, "--listen", "127.0.0.1:0", "--no-dapr"] + timeouts)
        let line = try await process.waitForStderr(containing: "listening on http://")
        return Running(process: process, port: Int(line.split(separator: ":").last!)!)
    }

    @Test func slowHeadersSlowBodiesAndUnreadResponsesAreCutOff() async throws {
        let server = try await Self.start(["--idle-timeout", "2s", "--read-timeout", "2s", "--write-timeout", "2s"])
        defer { server.process.signal(SIGTERM) }

        // Slowloris: a request head that never ends.
        let slowHead = try RawConnection(port: server.port)
        slowHead.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
        let headStarted = Date()
        var alive = true
        while alive, Date().timeIntervalSince(headStarted) < 6 {
            alive = slowHead.send("X-Drip-\(Int.random(in: 0..<1000)): y\r\n")
            if slowHead.isClosedByPeer(within: 0.3) { alive = false }
        }
        #expect(!alive, "a head trickled out for 6 s is cut off")
        #expect(Date().timeIntervalSince(headStarted) < Timing.bound(4))

        // A body that never ends.
        let slowBody = try RawConnection(port: server.port)
        slowBody.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        let bodyStarted = Date()
        alive = true
        while alive, Date().timeIntervalSince(bodyStarted) < 6 {
            alive = slowBody.send("x")
            if slowBody.isClosedByPeer(within: 0.3) { alive = false }
        }
        #expect(!alive, "a body trickled out for 6 s is cut off")
        #expect(Date().timeIntervalSince(bodyStarted) < Timing.bound(4))

        // A client that never reads a 2 MiB response.
        let before = try server.residentBytes
        var stalled: [RawConnection] = []
        for _ in 0..<20 {
            let connection = try RawConnection(port: server.port, receiveBuffer: 4096)
            connection.send("GET /echo?mode=giant HTTP/1.1\r\nHost: x\r\n\r\n")
            stalled.append(connection)
        }
        #expect(try await server.wellBehaved() == 200, "other clients are served meanwhile")
        try await Task.sleep(for: .seconds(1))
        // Each stalled write is abandoned after the write timeout: the server closes.
        for connection in stalled {
            #expect(connection.isClosedByPeer(within: Timing.bound(6)), "an unread response is abandoned")
        }
        let after = try server.residentBytes
        #expect(after - before < 96 << 20, "resident \(before >> 20) MiB -> \(after >> 20) MiB")
        #expect(try await server.wellBehaved() == 200)
    }

    @Test func tenThousandIdleConnectionsLeaveTheServerServing() async throws {
        let count = 10_000
        guard raiseOpenFileLimit(to: count + 1000) else {
            Issue.record("cannot allow this test process \(count + 1000) open files (ulimit -n): run it as root or raise the limit")
            return
        }
        let server = try await Self.start(["--idle-timeout", "5m"])
        defer { server.process.signal(SIGTERM) }
        #expect(try await server.wellBehaved() == 200)
        let before = try server.residentBytes
        var idle: [RawConnection] = []
        idle.reserveCapacity(count)
        for _ in 0..<count { idle.append(try RawConnection(port: server.port)) }
        // Every one of them was accepted and held by the server.
        try await Task.sleep(for: .seconds(2))
        let started = Date()
        #expect(try await server.wellBehaved() == 200, "a request with \(count) idle connections open")
        let latency = Date().timeIntervalSince(started)
        let after = try server.residentBytes
        print("10000 idle connections: resident \(before >> 20) MiB -> \(after >> 20) MiB, a request took \(Int(latency * 1000)) ms")
        #expect(after - before < 512 << 20, "memory stays bounded: \(before >> 20) MiB -> \(after >> 20) MiB")
        #expect(latency < Timing.bound(5))
        idle.removeAll()
        #expect(try await server.wellBehaved() == 200)
    }
}
