import SwiftletWasmHost
import Testing

@Suite("Files and directories")
struct MountTests {
    @Test(arguments: Engines.all) func readOnlyWritableAndStagedMounts(engine: EngineKind) async throws {
        let manifest = """
            name: mounts
            components:
              files:
                source: \(try Paths.guest("files"))
                executor: wagi
                files:
                  - { source: settings.txt, destination: /config/settings.txt }
                dirs:
                  - { source: static, destination: /static }
                  - { source: scratch, destination: /scratch, writable: true }
            triggers:
              http:
                - { route: /, component: files }
            """
        try await TestServer.with(
            engine: engine,
            manifest: manifest,
            files: ["static/hello.txt": "hello from a mounted dir\n", "scratch/.keep": "", "settings.txt": "mode=test\n"]
        ) { (server: TestServer) async throws in
            let response = try await server.request("/")
            #expect(response.status == 200)
            let lines = response.body.split(separator: "\n").map(String.init)
            #expect(lines.contains("read=hello from a mounted dir"))
            #expect(lines.contains("write_readonly=error:Read-only file system"))
            #expect(lines.contains("write_writable=ok"))
            #expect(lines.contains("readback=written by the guest"))
            #expect(lines.contains("staged=mode=test"))
            #expect(lines.contains { $0.hasPrefix("escape=error:") }, "no way out of a preopen: \(lines)")
        }
    }
}
