import Foundation
import NIOHTTP1
import Testing

/// examples/orders on each broker: 1,000 orders and 200 state writes, the runtime killed
/// with SIGKILL halfway, restarted, and every acknowledged order stored exactly once (the
/// ones the dead process held within seconds of the restart) and every acknowledged write
/// still there.
@Suite("examples/orders")
struct OrdersExampleTests {
    struct Running {
        let process: Subprocess
        let url: String
        let dapr: String
    }

    func start(_ example: ExampleCopy, components: String?) async throws -> Running {
        var arguments = ["up", "-f", example.manifest, "--listen", "127.0.0.1:0", "--dapr-http-port", "0", "--dapr-grpc-port", "0"]
        if let components { arguments += ["--components", example.path(components)] }
        let process = try Subprocess(try Paths.swiftletBinary(), arguments, directory: example.directory.path)
        func url(_ marker: String) async throws -> String {
            let line = try await process.waitForStderr(containing: marker)
            return String(line[line.range(of: "http://")!.lowerBound...])
        }
        return Running(process: process, url: try await url("listening on http://"), dapr: try await url("Dapr HTTP API on http://"))
    }

    /// Writes `state-<run>-<id>` through the Dapr API; returns the ids the server acknowledged
    /// and, for the others, what it answered (for the failure message).
    func writeState(_ dapr: String, ids: Range<Int>, run: String) async -> (acknowledged: [Int], refusals: [String]) {
        await withTaskGroup(of: (Int, String?).self) { group in
            for id in ids {
                group.addTask {
                    do {
                        let response = try await TestServer.send(
                            dapr + "/v1.0/state/statestore", method: .POST, headers: [("content-type", "application/json")],
                            body: #"[{"key":"state-\#(run)-\#(id)","value":\#(id)}]"#)
                        return (id, response.status == 204 ? nil : "\(response.status) \(response.body)")
                    } catch {
                        return (id, "\(error)")
                    }
                }
            }
            return await group.reduce(into: (acknowledged: [Int](), refusals: [String]())) { result, entry in
                if let refusal = entry.1 { result.refusals.append(refusal) } else { result.acknowledged.append(entry.0) }
            }
        }
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
        // Orders and state writes at once; the kill lands while the subscriber holds orders.
        async let written = writeState(first.dapr, ids: 0..<200, run: String(run))
        try await publish(first.url, ids: 0..<500, run: String(run))
        let (acknowledged, refusals) = await written
        first.process.signal(SIGKILL)
        _ = try await first.process.waitForExit()

        let second = try await start(example, components: components)
        let restarted = Date()
        // What the dead process had taken comes back on its lease, not after minutes.
        var recovered = try await count(second.url)
        while recovered < before + 500, Date().timeIntervalSince(restarted) < Timing.bound(30) {
            try await Task.sleep(for: .milliseconds(100))
            recovered = try await count(second.url)
        }
        let recovery = Date().timeIntervalSince(restarted)
        #expect(recovered == before + 500, "stored \(recovered - before) of the 500 published before the kill")
        #expect(recovery < Timing.bound(10), "the orders held at the kill were stored \(recovery) s after the restart")
        for id in acknowledged {
            let value = try await TestServer.send(second.dapr + "/v1.0/state/statestore/state-\(run)-\(id)")
            #expect(value.body == String(id), "acknowledged write \(id): \(value.status) \(value.body)")
        }
        #expect(acknowledged.count == 200, "every write was acknowledged before the kill; refused: \(Set(refusals).prefix(5))")

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
