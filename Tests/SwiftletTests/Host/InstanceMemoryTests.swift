import Foundation
import SwiftletWasmHost
import Testing

/// Every way an instance can end gives its engine state back: the host's census of live
/// instances and their linear memory returns to where it stood before the requests.
@Suite("Instances give their memory back")
struct InstanceMemoryTests {
    static func manifest() throws -> String {
        let misbehave = try Paths.guest("misbehave")
        return """
            name: memory
            components:
              toucher:
                source: \(try Paths.guest("toucher"))
                executor: wagi
                limits: { memory: 64Mi, timeout: 60s }
              fresh:
                source: \(misbehave)
                executor: handler
                isolation: fresh
              recycled:
                source: \(misbehave)
                executor: handler
                pool: { max_requests: 1 }
              bloated:
                source: \(misbehave)
                executor: handler
                pool: { recycle_memory: 2Mi }
              kept:
                source: \(misbehave)
                executor: handler
              bad:
                source: \(misbehave)
                executor: handler
                limits: { timeout: 1s, memory: 8Mi }
              spin:
                source: \(try Paths.guest("spin"))
                executor: wagi
                limits: { timeout: 1s }
            triggers:
              http:
                - { route: /touch, component: toucher }
                - { route: /fresh/:what, component: fresh }
                - { route: /recycled/:what, component: recycled }
                - { route: /bloated/:what, component: bloated }
                - { route: /kept/:what, component: kept }
                - { route: /bad/:what, component: bad }
                - { route: /spin, component: spin }
            """
    }

    struct Reading: Equatable, CustomStringConvertible {
        let instances: Int
        let bytes: Int
        var description: String { "\(instances) instances holding \(bytes) bytes" }
    }

    static func reading(_ census: InstanceCensus) -> Reading {
        Reading(instances: census.liveInstances, bytes: census.linearMemoryBytes)
    }

    /// Waits until every live instance is one a pool holds between requests: anything else
    /// alive after the requests ended is a leak. (Pools refill on a background thread, so
    /// both sides are read again until they agree.)
    static func settle(_ server: TestServer, _ what: String) async throws {
        let deadline = Date().addingTimeInterval(Timing.bound(10))
        var live = reading(server.census)
        var held = Reading(instances: server.heldInstances().instances, bytes: server.heldInstances().bytes)
        while live != held, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            live = reading(server.census)
            let pools = server.heldInstances()
            held = Reading(instances: pools.instances, bytes: pools.bytes)
        }
        #expect(live == held, "after \(what): the census counts \(live), the pools hold \(held)")
    }

    static func send(_ server: TestServer, _ path: String, times: Int, status: Int) async throws {
        for _ in 0..<times {
            let response = try await server.request(path)
            #expect(response.status == status, "\(path): \(response.body)")
        }
    }

    @Test(arguments: Engines.all) func everyEndOfAnInstanceFreesIt(engine: EngineKind) async throws {
        var census: InstanceCensus?
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { server in
            census = server.census
            try await Self.settle(server, "start")
            let rest = Self.reading(server.census)
            #expect(rest.instances >= 7, "every component starts with instances ready")
            #expect(rest.bytes > 0)

            try await Self.send(server, "/touch?mib=4", times: 30, status: 200)
            try await Self.settle(server, "WAGI requests touching 4 MiB each")
            try await Self.send(server, "/touch?fill", times: 5, status: 200)
            try await Self.settle(server, "WAGI requests filling a 64 MiB cap")
            try await Self.send(server, "/fresh/hog", times: 10, status: 200)
            try await Self.settle(server, "isolation: fresh")
            try await Self.send(server, "/recycled/hog", times: 10, status: 200)
            try await Self.settle(server, "warm instances recycled by max_requests")
            try await Self.send(server, "/bloated/hog", times: 10, status: 200)
            try await Self.settle(server, "warm instances recycled by recycle_memory")
            try await Self.send(server, "/bad/trap", times: 10, status: 500)
            try await Self.send(server, "/bad/bomb", times: 3, status: 500)
            try await Self.send(server, "/bad/loop", times: 1, status: 504)
            try await Self.send(server, "/spin", times: 1, status: 504)
            try await Self.settle(server, "traps, timeouts and the memory limit")
            #expect(Self.reading(server.census).bytes < rest.bytes + 8 << 20)
        }
        let closed = try #require(census)
        #expect(Self.reading(closed) == Reading(instances: 0, bytes: 0), "shutdown frees prepared and idle instances")
    }

    /// Waits until the census has not changed for a second: the prewarmers fill every
    /// component's supply in the background at start, slowly on a loaded machine.
    static func steady(_ server: TestServer) async throws -> Reading {
        let deadline = Date().addingTimeInterval(Timing.bound(20))
        var last = reading(server.census)
        var unchangedSince = Date()
        while Date().timeIntervalSince(unchangedSince) < 1, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            let now = reading(server.census)
            if now != last {
                last = now
                unchangedSince = Date()
            }
        }
        return last
    }

    @Test(arguments: Engines.all) func theCensusSeesMemoryAWarmInstanceKeeps(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { server in
            try await Self.settle(server, "start")
            let before = try await Self.steady(server)
            // "hog" keeps 4 MiB for good in an instance that stays warm.
            try await Self.send(server, "/kept/hog", times: 3, status: 200)
            try await Self.settle(server, "three requests")
            let after = Self.reading(server.census)
            #expect(after.instances == before.instances)
            #expect(after.bytes >= before.bytes + 12 << 20, "\(before) -> \(after)")
        }
    }

    @Test(arguments: Engines.all) func swiftletRunFreesItsInstance(engine kind: EngineKind) throws {
        let engine = try Engines.engine(kind)
        let module = try engine.loadModule(
            bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Paths.guest("toucher")))), name: "toucher", meterFuel: false)
        var runner = CommandRunner(environment: ["QUERY_STRING": "mib=8"])
        for _ in 0..<5 {
            #expect(try runner.run(module) == 0)
            #expect(runner.census.liveInstances == 0)
            #expect(runner.census.linearMemoryBytes == 0)
        }
        runner.timeoutMilliseconds = 200
        let spin = try engine.loadModule(
            bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Paths.guest("spin")))), name: "spin", meterFuel: false)
        #expect(throws: GuestFailure.self) { try runner.run(spin) }
        #expect(runner.census.liveInstances == 0, "a run stopped at its deadline frees its instance too")
    }
}
