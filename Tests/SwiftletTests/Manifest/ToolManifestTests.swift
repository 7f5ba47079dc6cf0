import Foundation
import Testing

@testable import SwiftletManifest

/// `tools:` in swiftlet.yaml: what a tool is, and errors that name the line and field.
@Suite("Tool manifests")
struct ToolManifestTests {
    let parser: ManifestParserTests

    init() throws {
        parser = try ManifestParserTests()
    }

    static func manifest(_ tools: String) -> String {
        """
        name: agent
        components:
          api: { source: app.wasm, executor: handler, allowed_outbound_hosts: ["https://a.example"] }
        tools:
        \(tools)
        """
    }

    @Test func toolsNameTheirComponentSchemaLimitsAndGrants() throws {
        let manifest = try parser.parse(Self.manifest("""
              lookup:
                component: api
                description: Looks things up.
                path: /lookup/v1
                input_schema:
                  type: object
                  properties:
                    query: { type: string, minLength: 1 }
                    exact: { type: boolean, default: false }
                    label: { type: string, default: "true" }
                  required: [query]
                limits: { fuel: 1000000, memory: 8Mi, timeout: 2s }
                allowed_outbound_hosts: ["https://b.example"]
              python:
                builtin: python
            """))
        #expect(manifest.tools.map(\.name) == ["lookup", "python"])
        let lookup = manifest.tools[0]
        #expect(lookup.target == .component("api"))
        #expect(lookup.path == "/lookup/v1")
        #expect(lookup.limits.fuel == 1_000_000)
        #expect(lookup.limits.memory == 8 << 20)
        #expect(lookup.limits.timeoutMilliseconds == 2000)
        #expect(lookup.allowedOutboundHosts == ["https://b.example"])
        let schema = try #require(
            try JSONSerialization.jsonObject(with: Data(lookup.inputSchemaJSON.utf8)) as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: [String: Any]])
        #expect(properties["query"]?["minLength"] as? Int == 1)
        #expect(properties["exact"]?["default"] as? Bool == false)
        #expect(properties["label"]?["default"] as? String == "true", "a quoted scalar stays a string")
        #expect(schema["required"] as? [String] == ["query"])

        let python = manifest.tools[1]
        #expect(python.target == .python)
        #expect(python.path == "/python")
        #expect(python.inputSchemaJSON.contains("\"code\""))
    }

    @Test func mistakesAreNamedWhereTheyAre() {
        parser.expectError(Self.manifest("  t: { component: nope }"), line: 5, column: 19, field: "tools.t.component",
            containing: "no component named 'nope'")
        parser.expectError(Self.manifest("  t: { builtin: ruby }"), line: 5, column: 17, field: "tools.t.builtin",
            containing: "'ruby' is not a built-in tool")
        parser.expectError(Self.manifest("  t: { component: api, builtin: python }"), line: 5, column: 33,
            field: "tools.t.builtin", containing: "either 'component' or 'builtin'")
        parser.expectError(Self.manifest("  t: { description: x }"), line: 5, column: 6, field: "tools.t",
            containing: "a tool needs 'component'")
        parser.expectError(Self.manifest("  \"bad name\": { builtin: python }"), line: 5, column: 3, field: "tools.bad name",
            containing: "tool names use")
        parser.expectError(Self.manifest("  t: { builtin: python, input_schema: [a] }"), line: 5, column: 39,
            field: "tools.t.input_schema", containing: "JSON Schema object")
        parser.expectError(Self.manifest("  t: { builtin: python, limits: { max_queue: 3 } }"), line: 5, column: 35,
            field: "tools.t.limits.max_queue", containing: "allowed here: memory, fuel, timeout")
        parser.expectError(Self.manifest("  t: { builtin: python, path: run }"), line: 5, column: 31, field: "tools.t.path",
            containing: "starts with '/'")
    }
}
