import Foundation
import NIOHTTP1
import Testing

/// examples/orders on each broker: 1,000 orders, the runtime killed with SIGKILL halfway,
/// restarted, and every order stored exactly once.
@Suite("examples/orders")
struct OrdersExampleTests {
    struct Running {
        let process: Subprocess
        let url: String
    }

    func start(_ example: ExampleCopy, components: String?) async throws -> Running {
        var arguments = ["up", "-f", example.manifest, "--listen", "127.0.0.1:0", "--dapr-http-port", "0", "--dapr-grpc-port", "0"]
        if let components { arguments += ["--components", example.path(components)] }
        let process = try Subprocess(try Paths.swiftletBinary(), arguments, directory: example.directory.path)
        let line = try await process.waitForStderr(containing: "listening on http://")
        return Running(process: process, url: String(line[line.range(of: "http://")!.lowerBound...]))
    }

    func count(_ url: String) async throws -> Int {
        let response = try await TestServer.send(url + "/orders/count")
        return Int(response.body.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func publish(_ url: String, ids: Range<Int>, run: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = ids.lowerBound
            // 16 at a time.
            for _ in 0..<16 where next < ids.upperBound {
                let id = next
                next += 1
                group.addTask { try await post(url, id: id, run: run) }
            }
            while try await group.next() != nil, next < ids.upperBound {
                let id = next
                next += 1
                group.addTask { try await post(url, id: id, run: run) }
            }
        }
    }

    func post(_ url: String, id: Int, run: String) async throws {
        let response = try await TestServer.send(
            url + "/orders", method: .POST, headers: [("content-type", "application/json")],
            body: #"{"id":"\#(run)-\#(id)","item":"widget","quantity":1}"#)
        #expect(response.status == 202, "order \(id): \(response.status) \(response.body)")
    }

    @Test(arguments: [nil, "components-redis", "components-jetstream"])
    func everyOrderStoredOnceAcrossAKill(components: String?) async throws {
        let example = try ExampleCopy("orders")
        defer { example.remove() }
        let run = UUID().uuidString.prefix(8).lowercased()

        let first = try await start(example, components: components)
        let before = try await count(first.url)
        #expect(before >= 0)
        try await publish(first.url, ids: 0..<500, run: String(run))
        first.process.signal(SIGKILL)
        _ = try await first.process.waitForExit()

        let second = try await start(example, components: components)
        try await publish(second.url, ids: 500..<1000, run: String(run))
        let deadline = Date().addingTimeInterval(90)
        var stored = try await count(second.url)
        while stored < before + 1000, Date() < deadline {
            try await Task.sleep(for: .milliseconds(250))
            stored = try await count(second.url)
        }
        #expect(stored == before + 1000, "stored \(stored - before) of 1000")
        // Redeliveries after the kill must not count twice.
        try await Task.sleep(for: .seconds(2))
        #expect(try await count(second.url) == before + 1000)
        second.process.signal(SIGTERM)
        #expect(try await second.process.waitForExit(timeout: 30) == 0)
    }
}
