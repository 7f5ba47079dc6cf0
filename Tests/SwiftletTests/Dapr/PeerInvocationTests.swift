import Foundation
import Testing

/// Two `swiftlet up` processes that know each other from `--peers` files: invocations by app
/// id cross between them, from the Dapr API and from inside a Wasm function.
@Suite struct PeerInvocationTests {
    /// A running `swiftlet up` and the base URLs it printed.
    struct Instance {
        let process: Subprocess
        let appURL: String
        let daprURL: String
    }

    func start(_ name: String, in directory: URL, daprPort: Int = 0, peers: [String: String]) async throws -> Instance {
        let app = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        try Data(
            """
            name: \(name)
            components:
              echo: { source: \(try Paths.guest("handler-echo")), executor: handler }
              blocks: { source: \(try Paths.guest("blocks")), executor: handler }
            triggers:
              http:
                - { route: /echo/..., component: echo }
                - { route: /blocks/:what, component: blocks }
            """.utf8
        ).write(to: app.appendingPathComponent("swiftlet.yaml"))
        let peersFile = app.appendingPathComponent("peers.yaml")
        try Data(("peers:\n" + peers.map { "  \($0.key): \($0.value)\n" }.joined()).utf8).write(to: peersFile)
        let process = try Subprocess(
            try Paths.swiftletBinary(),
            ["up", "--listen", "127.0.0.1:0", "--dapr-http-port", "\(daprPort)", "--dapr-grpc-port", "0", "--peers", peersFile.path],
            directory: app.path)
        func url(after marker: String) async throws -> String {
            let line = try await process.waitForStderr(containing: marker)
            return String(line[line.range(of: "http://")!.lowerBound...])
        }
        return Instance(process: process, appURL: try await url(after: "listening on http://"), daprURL: try await url(after: "Dapr HTTP API on"))
    }

    @Test func invocationsCrossBetweenTwoSwiftlets() async throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let betaPort = try FreePort.pick()
        // `gamma` is claimed by each for the other: a forwarding loop the depth limit must end.
        let alpha = try await start(
            "alpha", in: directory, peers: ["beta": "http://127.0.0.1:\(betaPort)", "gamma": "http://127.0.0.1:\(betaPort)"])
        let beta = try await start(
            "beta", in: directory, daprPort: betaPort, peers: ["alpha": alpha.daprURL, "gamma": alpha.daprURL])

        // Dapr API on beta -> alpha's Wasm function, method and body intact.
        let viaAPI = try await TestServer.send(beta.daprURL + "/v1.0/invoke/alpha/method/echo/hop?q=1", method: .POST, body: "cargo")
        #expect(viaAPI.status == 200)
        #expect(viaAPI.body.contains("method=POST") && viaAPI.body.contains("path=/echo/hop") && viaAPI.body.contains("query=q=1"), "\(viaAPI.body)")
        #expect(viaAPI.body.contains("body=cargo"), "\(viaAPI.body)")

        // A Wasm function on alpha invokes beta's function by app id.
        let fromGuest = try await TestServer.send(alpha.appURL + "/blocks/invoke?app=beta&path=/echo/from-alpha")
        #expect(fromGuest.body.hasPrefix("status=200\n"), "\(fromGuest.body)")
        #expect(fromGuest.body.contains("path=/echo/from-alpha"), "\(fromGuest.body)")

        // The loop ends with an error instead of bouncing forever.
        let loop = try await TestServer.send(beta.daprURL + "/v1.0/invoke/gamma/method/echo/x", timeout: .seconds(20))
        #expect(loop.status == 500, "\(loop.body)")
        #expect(loop.body.contains("ERR_DIRECT_INVOKE"), "\(loop.body)")

        for instance in [alpha, beta] {
            instance.process.signal(SIGTERM)
            #expect(try await instance.process.waitForExit(timeout: 20) == 0)
        }
    }
}
