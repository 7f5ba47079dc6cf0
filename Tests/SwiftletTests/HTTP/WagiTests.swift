import SwiftletWasmHost
import Testing

@Suite("WAGI executor")
struct WagiTests {
    static func manifest() throws -> String {
        """
        name: wagi
        components:
          echo:
            source: \(try Paths.guest("wagi-echo"))
            executor: wagi
            args: [--flag]
            environment: { GREETING: hi }
            limits: { max_response_body: 1Mi }
        triggers:
          http:
            - { route: /cgi/..., component: echo }
        """
    }

    @Test(arguments: Engines.all) func environmentArgvAndStdin(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let response = try await server.request(
                "/cgi/a/b?x=1&y=2", method: .POST,
                headers: [("x-custom", "yes"), ("authorization", "Bearer secret"), ("content-type", "text/plain")],
                body: "request body")
            #expect(response.status == 200)
            let lines = Set(response.body.split(separator: "\n").map(String.init))
            for expected in [
                "argv[0]=/cgi", "argv[1]=--flag", "argv[2]=x=1", "argv[3]=y=2",
                "env REQUEST_METHOD=POST", "env QUERY_STRING=x=1&y=2", "env SCRIPT_NAME=/cgi",
                "env PATH_INFO=/a/b", "env X_MATCHED_ROUTE=/cgi/...", "env CONTENT_LENGTH=12",
                "env CONTENT_TYPE=text/plain", "env HTTP_X_CUSTOM=yes", "env GATEWAY_INTERFACE=CGI/1.1",
                "env SERVER_PROTOCOL=HTTP/1.1", "env REMOTE_ADDR=127.0.0.1", "env GREETING=hi",
                "stdin=request body",
            ] {
                #expect(lines.contains(expected), "missing \(expected)")
            }
            #expect(!response.body.contains("HTTP_AUTHORIZATION"))
            #expect(response.body.contains("env X_FULL_URL=http://127.0.0.1:"))
        }
    }

    @Test(arguments: Engines.all) func cgiStatusLocationAndBadOutput(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            let notFound = try await server.request("/cgi/?mode=status")
            #expect(notFound.status == 404)
            #expect(notFound.body == "nothing here\n")
            #expect(notFound.header("x-guest") == "wagi")

            let redirect = try await server.request("/cgi/?mode=redirect")
            #expect(redirect.status == 302)
            #expect(redirect.header("location") == "/elsewhere")

            let silent = try await server.request("/cgi/?mode=silent")
            #expect(silent.status == 500)
            #expect(silent.header("x-swiftlet-error") == "bad-response")
            #expect(silent.body.contains("wrote nothing to stdout"))

            let noHeaders = try await server.request("/cgi/?mode=noheaders")
            #expect(noHeaders.status == 500)
            #expect(noHeaders.body.contains("no CGI header block"))

            let giant = try await server.request("/cgi/?mode=giant")
            #expect(giant.status == 500)
            #expect(giant.header("x-swiftlet-error") == "response-size")

            let exited = try await server.request("/cgi/?mode=exit3")
            #expect(exited.status == 500)
            #expect(exited.body.contains("exit code 3"))
        }
    }

    @Test(arguments: Engines.all) func stderrIsLoggedWithTheRequestID(engine: EngineKind) async throws {
        try await TestServer.with(engine: engine, manifest: try Self.manifest()) { (server: TestServer) async throws in
            _ = try await server.request("/cgi/?mode=exit3", headers: [("x-request-id", "wagi-stderr-1")])
            let record = server.logs.all.first { $0.message == "guest says goodbye on stderr" }
            #expect(record?.metadata["request"] == "wagi-stderr-1")
        }
    }
}
