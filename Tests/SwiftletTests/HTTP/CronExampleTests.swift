import Foundation
import Testing

@Suite("examples/cron")
struct CronExampleTests {
    @Test func theCronBindingRunsTheComponentEverySecond() async throws {
        let example = try ExampleCopy("cron")
        defer { example.remove() }
        try await TestServer.serve(manifestPath: example.manifest) { (server: TestServer) async throws in
            var log = try await server.request("/ticks")
            let deadline = Date().addingTimeInterval(15)
            while log.body.split(separator: "\n").count < 3, Date() < deadline {
                try await Task.sleep(for: .milliseconds(200))
                log = try await server.request("/ticks")
            }
            #expect(log.status == 200)
            let lines = log.body.split(separator: "\n")
            #expect(lines.count >= 3, "\(log.body)")
            #expect(lines.first == "tick 1")
            #expect(lines.enumerated().allSatisfy { $1 == "tick \($0 + 1)" })
        }
    }
}
