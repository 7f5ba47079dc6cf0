import Foundation
import SwiftletWasmHost
import Testing

@Suite("Limits and misbehaving guests")
struct LimitTests {
    /// Timeouts scale with the build's speed (`SWIFTLET_TEST_TIME_SCALE`): under a sanitizer
    /// a guest that misbehaves in some other way must not run out of time first.
    static func manifest() throws -> String {
        let misbehave = try Paths.guest("misbehave")
        return """
            name: limits
            components:
              bad:
                source: \(misbehave)
                executor: handler
                limits: { timeout: \(Int(Timing.bound(1)))s, memory: 8Mi, max_response_body: 1Mi, max_request_body: 1Ki }
              metered:
                source: \(misbehave)
                executor: handler
                limits: { fuel: 2000000, timeout: \(Int(Timing.bound(10)))s }
              hello:
                source: \(Paths.example("hello/hello-c.wasm"))
                executor: wagi
              spin:
                source: \(try Paths.guest("spin"))
                executor: wagi
                limits: { timeout: \(Int(Timing.bound(1)))s }
              sleeper:
                source: \(try Paths.guest("sleeper"))
                executor: wagi
                limits: { timeout: \(Int(Timing.bound(5)))s, max_concurrency: 1, max_queue: 1 }
              wasiptr:
                source: \(try Paths.guest("wasi-badptr"))
                executor: wagi
            triggers:
              http:
                - { route: /bad/:what, component: bad }
                - { route: /metered/:what, component: metered }
                - { route: /hello, component: hello }
                - { route: /spin, component: spin }
                - { route: /sleep, component: sleeper }
                - { route: /wasiptr, component: wasiptr }
            """
    }

    @Test(arguments: Engines.all) func infiniteLoopIsStoppedWhileOtherRoutesKeepAnswering(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let started = Date()
            async let looping = server.request("/bad/loop")
            async let spinning = server.request("/spin")
            // Meanwhile the rest of the app answers normally.
            var others: [Int] = []
            while Date().timeIntervalSince(started) < 0.8 {
                others.append(try await server.request("/hello").status)
            }
            let (loop, spin) = try await (looping, spinning)
            let elapsed = Date().timeIntervalSince(started)
            #expect(loop.status == 504)
            #expect(loop.header("x-swiftlet-error") == "timeout")
            #expect(loop.body.contains("timeout: the guest ran longer than \(Int(Timing.bound(1)) * 1000) ms"))
            #expect(spin.status == 504, "a WAGI guest is stopped the same way")
            // Under a sanitizer the slack grows more than the timeout does: stopping a call
            // waits on signal delivery and thread wake-ups, which TSan slows most (CI saw
            // 20.04 s against a scaled 10 s + 10 s).
            let slack = Timing.scale > 1 ? Timing.bound(2.0) : 1.0
            #expect(elapsed < Timing.bound(1.0) + slack, "answered within the timeout + 1 s (took \(elapsed) s)")
            #expect(!others.isEmpty)
            #expect(others.allSatisfy { $0 == 200 })
            #expect(try await server.request("/bad/ok").status == 200)
        }
    }

    @Test(arguments: Engines.all, [
        ("bomb", "memory", "memory limit of 8388608 bytes"),
        ("recurse", "trap", "call stack exhausted"),
        ("recurse-frames", "trap", "out of bounds memory access"),
        ("giant", "response-size", "response body exceeds the limit of 1048576 bytes"),
        ("trap", "trap", "unreachable"),
        ("fail", "handler-error", "swiftlet_handle returned 7"),
    ])
    func misbehaviourGetsAClear500AndTheServerCarriesOn(engine: EngineKind, misbehaviour: (String, String, String)) async throws {
        let (what, kind, reason) = misbehaviour
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let response = try await server.request("/bad/\(what)")
            #expect(response.status == 500)
            #expect(response.header("x-swiftlet-error") == kind)
            #expect(response.body.contains(reason), "\(response.body)")
            let next = try await server.request("/bad/ok")
            #expect(next.status == 200)
            #expect(next.body == "fine\n")
        }
    }

    @Test(arguments: Engines.all) func outOfBoundsPointersToEveryHostFunctionAreReported(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let response = try await server.request("/bad/badptr")
            #expect(response.status == 500)
            #expect(response.header("x-swiftlet-error") == "bad-pointer")
            for function in [
                "req_method", "req_path", "req_query", "req_header", "req_headers", "req_param", "req_body_read",
                "resp_header", "resp_write", "log",
            ] {
                #expect(response.body.contains(function), "\(function) did not report the fault")
            }
            #expect(try await server.request("/bad/ok").status == 200)
        }
    }

    @Test(arguments: Engines.all) func wasiCallsWithBadPointersGetEFAULT(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let response = try await server.request("/wasiptr")
            #expect(response.status == 200)
            #expect(response.body == "fd_write_iovs=21 fd_write_buffer=21 random_get=21 clock_time_get=21\n")
        }
    }

    @Test(arguments: Engines.all) func fuelBudgetStopsBusyGuests(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let response = try await server.request("/metered/loop")
            #expect(response.status == 500)
            #expect(response.header("x-swiftlet-error") == "fuel")
            #expect(response.body.contains("fuel budget of 2000000"))
            #expect(try await server.request("/metered/ok").status == 200, "a small request fits the budget")
        }
    }

    @Test(arguments: Engines.all) func oversizedRequestBodiesGet413(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let body = String(repeating: "x", count: 2048)
            let response = try await server.request("/bad/ok", method: .POST, body: body)
            #expect(response.status == 413)
            #expect(response.body.contains("limit of 1024 bytes"))
            let small = try await server.request("/bad/ok", method: .POST, body: "tiny")
            #expect(small.status == 200)
        }
    }

    @Test(arguments: Engines.all) func excessConcurrencyQueuesThenGets503(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            // Long enough that all four are in before the first ends (scaled: a sanitized
            // build can take seconds to get four requests to the server).
            let sleep = Int(Timing.bound(2) * 1000)
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await server.request("/sleep?\(sleep)", timeout: .seconds(Int64(Timing.bound(30)))).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(results.filter { $0 == 200 }.count == 2, "one running and one queued: \(results)")
            #expect(results.filter { $0 == 503 }.count == 2, "\(results)")
        }
    }

    @Test(arguments: Engines.all) func sleepingPastTheDeadlineFailsFast(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let started = Date()
            let response = try await server.request("/sleep?60000")
            #expect(response.status == 504)
            #expect(Date().timeIntervalSince(started) < Timing.bound(2.5), "refused up front, not slept through")
            #expect(try await server.request("/sleep?10").status == 200)
        }
    }
}
