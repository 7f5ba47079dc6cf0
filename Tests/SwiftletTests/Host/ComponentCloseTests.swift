import Foundation
import SwiftletABI
import SwiftletWasmHost
import Testing

/// Closing a component (a retired version) while requests are still running: the running
/// request finishes, and its instance, the idle ones and any being prepared are all freed.
@Suite("Closing a component")
struct ComponentCloseTests {
    @Test(arguments: Engines.all) func instancesOutAtCloseAreFreedWhenTheyComeBack(engine: EngineKind) async throws {
        try Engines.require(engine)
        let host = WasmHost(tiers: Engines.tiers, preferred: engine, workerThreads: 2)
        defer { host.shutdown() }
        let component = try host.loadComponent(
            ComponentConfiguration(id: "sleeper", modulePath: try Paths.guest("sleeper"), engine: .kind(engine), executor: .wagi, prewarm: 3))
        let slow = Task {
            try await component.handle(GuestRequest(method: "GET", path: "/", query: "300"))
        }
        // Let the request take its instance, then close under it (the prewarmer may be busy
        // preparing more at the same moment).
        try await Task.sleep(for: .milliseconds(100))
        component.close()
        guard case .complete(let response) = try await slow.value else {
            Issue.record("a WAGI reply is complete")
            return
        }
        #expect(String(decoding: response.body, as: UTF8.self) == "slept 300 ms\n", "the running request finished")
        let deadline = Date().addingTimeInterval(Timing.bound(10))
        while host.census.liveInstances > 0, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(host.census.liveInstances == 0, "every instance of the closed component is freed")
        #expect(host.census.linearMemoryBytes == 0)
    }
}
