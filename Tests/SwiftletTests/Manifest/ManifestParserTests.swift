import Foundation
import Testing

@testable import SwiftletManifest

@Suite("Manifest parsing")
struct ManifestParserTests {
    let directory: URL

    init() throws {
        directory = try Paths.temporaryDirectory()
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("app.wasm").path, contents: Data([0]))
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("static"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: directory.appendingPathComponent("settings.txt").path, contents: Data("x".utf8))
    }

    func parse(_ text: String, requireModules: Bool = true) throws(ManifestError) -> AppManifest {
        try ManifestParser.parse(text, file: "swiftlet.yaml", directory: directory.path, requireModules: requireModules)
    }

    func expectError(
        _ text: String, line: Int, column: Int, field: String, containing message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try parse(text)
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch {
            #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.column == column, "\(error)", sourceLocation: sourceLocation)
            #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("swiftlet.yaml:\(line):\(column): "), sourceLocation: sourceLocation)
        }
    }

    @Test func parsesEveryField() throws {
        let manifest = try parse(
            """
            name: shop
            version: 1.2.3
            description: A shop
            components:
              api:
                source: app.wasm
                executor: handler
                description: The API
                isolation: fresh
                environment:
                  MODE: production
                  RETRIES: 3
                args: [--verbose]
                files:
                  - settings.txt
                  - { source: static, destination: /assets }
                dirs:
                  - { source: static, destination: /data, writable: true }
                allowed_outbound_hosts: ["https://api.example.com", "http://*.internal:*"]
                limits:
                  memory: 32Mi
                  fuel: 1000000
                  timeout: 2s
                  max_request_body: 1KiB
                  max_response_body: 2MB
                  max_concurrency: 4
                  max_queue: 8
                pool: { max_requests: 100, recycle_memory: 8Mi, prewarm: 3 }
                build: { command: make }
            triggers:
              http:
                - { route: /api/..., component: api }
                - { route: /api/users/:id, component: api }
            """)
        #expect(manifest.name == "shop")
        #expect(manifest.version == "1.2.3")
        let api = try #require(manifest.component("api"))
        #expect(api.source == directory.appendingPathComponent("app.wasm").standardizedFileURL.path)
        #expect(api.executor == .handler)
        #expect(api.isolation == .fresh)
        #expect(api.environment == ["MODE": "production", "RETRIES": "3"])
        #expect(api.args == ["--verbose"])
        #expect(api.files.map(\.destination) == ["/settings.txt", "/assets"])
        #expect(api.dirs == [DirectoryMountManifest(source: directory.appendingPathComponent("static").standardizedFileURL.path, destination: "/data", writable: true)])
        #expect(api.allowedOutboundHosts.count == 2)
        #expect(api.limits == LimitsManifest(
            memory: 32 << 20, fuel: 1_000_000, timeoutMilliseconds: 2000, maxRequestBody: 1024,
            maxResponseBody: 2_000_000, maxConcurrency: 4, maxQueue: 8))
        #expect(api.pool == PoolManifest(maxRequests: 100, recycleMemory: 8 << 20, prewarm: 3))
        #expect(api.build?.command == "make")
        #expect(manifest.httpRoutes.map(\.route.text) == ["/api/...", "/api/users/:id"])
        #expect(manifest.httpRoutes[1].location.line == 33)
    }

    @Test func unknownKeyIsAnErrorWithASuggestion() {
        expectError(
            """
            name: app
            components:
              web:
                sorce: app.wasm
                executor: wagi
            """, line: 4, column: 5, field: "components.web.sorce", containing: "did you mean 'source'")
    }

    @Test func missingModuleFileIsNamed() {
        expectError(
            """
            name: app
            components:
              web:
                executor: wagi
                source: missing.wasm
            """, line: 5, column: 13, field: "components.web.source", containing: "module file 'missing.wasm' not found")
    }

    @Test func missingModulesAreAllowedWhenBuilding() throws {
        let manifest = try parse(
            """
            name: app
            components:
              web: { source: later.wasm, executor: wagi, build: { command: make } }
            """, requireModules: false)
        #expect(manifest.components.first?.source.hasSuffix("later.wasm") == true)
    }

    @Test func badValuesNameTheirField() {
        expectError(
            """
            name: app
            components:
              web:
                source: app.wasm
                executor: wagi
                limits:
                  memory: lots
            """, line: 7, column: 15, field: "components.web.limits.memory", containing: "expected a size")
        expectError(
            """
            name: app
            components:
              web:
                source: app.wasm
                executor: cgi
            """, line: 5, column: 15, field: "components.web.executor", containing: "'cgi' is not one of wagi, handler")
        expectError(
            """
            name: app
            components:
              web:
                source: app.wasm
                executor: wagi
                limits: { timeout: soon }
            """, line: 6, column: 24, field: "components.web.limits.timeout", containing: "expected a duration")
        expectError(
            """
            name: app
            components:
              web:
                source: app.wasm
                executor: wagi
                allowed_outbound_hosts: [example.com]
            """, line: 6, column: 30, field: "components.web.allowed_outbound_hosts[0]", containing: "scheme://host")
    }

    @Test func routesAreChecked() {
        let header = """
            name: app
            components:
              web: { source: app.wasm, executor: wagi }
            triggers:
              http:

            """
        expectError(header + "    - { route: users, component: web }", line: 6, column: 16, field: "triggers.http[0].route", containing: "must start with '/'")
        expectError(header + "    - { route: /a/.../b, component: web }", line: 6, column: 16, field: "triggers.http[0].route", containing: "only allowed as the last")
        expectError(header + "    - { route: /a, component: api }", line: 6, column: 31, field: "triggers.http[0].component", containing: "no component named 'api'")
        expectError(
            header + "    - { route: /u/:id, component: web }\n    - { route: /u/:name, component: web }", line: 7, column: 16,
            field: "triggers.http[1].route", containing: "cannot be told apart from '/u/:id' at line 6")
    }

    @Test func yamlSyntaxErrorsHaveAPosition() {
        do {
            _ = try parse("name: app\ncomponents:\n  web: [unclosed\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.line >= 3)
            #expect(error.message.contains("invalid YAML"))
        }
    }

    @Test func requiredFieldsAreReported() {
        expectError("version: 1.0.0\ncomponents: {}\n", line: 1, column: 1, field: "", containing: "missing required field 'name'")
        expectError(
            "name: app\ncomponents:\n  web: { source: app.wasm }\n", line: 3, column: 8, field: "components.web",
            containing: "missing required field 'executor'")
    }

    @Test func unitsParse() {
        #expect(Units.bytes("64Mi") == 64 << 20)
        #expect(Units.bytes("512KB") == 512_000)
        #expect(Units.bytes("12") == 12)
        #expect(Units.bytes("12 parsecs") == nil)
        #expect(Units.milliseconds("250ms") == 250)
        #expect(Units.milliseconds("3s") == 3000)
        #expect(Units.milliseconds("2", bareUnit: 1000) == 2000)
        #expect(Units.milliseconds("1h") == 3_600_000)
        #expect(Units.milliseconds("1d") == nil)
    }
}
