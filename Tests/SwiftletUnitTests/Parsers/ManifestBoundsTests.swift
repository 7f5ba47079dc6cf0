import SwiftletBlocks
import SwiftletResources
import SwiftletManifest
import Testing

/// Sizes, durations and shapes in manifests and component files are bounded: each refusal
/// names file, line and field instead of trapping later (a timeout of 9999999999999s once
/// killed the server on its first request).
@Suite struct ManifestBoundsTests {
    static func manifest(limits: String = "", pool: String = "") -> String {
        """
        name: bounded
        components:
          c:
            source: c.wasm
            executor: handler
            limits: { \(limits) }
            pool: { \(pool) }
        """
    }

    static func refusal(_ text: String) -> ManifestError? {
        do {
            _ = try ManifestParser.parse(text, file: "swiftlet.yaml", directory: "/tmp", requireModules: false)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("timeout: 9999999999999s", "components.c.limits.timeout", "at most 24h"),
        ("timeout: 99999999999999999999999s", "components.c.limits.timeout", "expected a duration"),
        ("timeout: 25h", "components.c.limits.timeout", "at most 24h"),
        ("memory: 5Gi", "components.c.limits.memory", "at most 4Gi"),
        ("memory: 99999999999999Gi", "components.c.limits.memory", "expected a size"),
        ("max_request_body: 2Gi", "components.c.limits.max_request_body", "at most 1Gi"),
        ("max_concurrency: 100000000", "components.c.limits.max_concurrency", "at most 100000"),
        ("max_queue: 9223372036854775807", "components.c.limits.max_queue", "at most 1000000"),
    ])
    func limitsOutOfRangeAreRefusedWithTheirField(setting: (String, String, String)) throws {
        let (limit, field, message) = setting
        let error = try #require(Self.refusal(Self.manifest(limits: limit)), "\(limit) was accepted")
        #expect(error.field == field, "\(error)")
        #expect(error.description.contains(message), "\(error)")
        #expect(error.line == 6)
    }

    @Test func prewarmIsBounded() throws {
        let error = try #require(Self.refusal(Self.manifest(pool: "prewarm: 1000000")))
        #expect(error.field == "components.c.pool.prewarm")
    }

    @Test func aDayIsTheLongestTimeout() throws {
        #expect(Self.refusal(Self.manifest(limits: "timeout: 24h")) == nil)
        #expect(Units.milliseconds("9223372036854775807s") == nil, "overflow is nil, not a trap")
    }

    @Test func deepOrExplodingYAMLIsRefusedBeforeItIsWalked() throws {
        let deep = "name: x\ncomponents: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(Self.refusal(deep)?.description.contains("nests more than") == true)
        let items = "name: x\ncomponents:\n" + String(repeating: "- ", count: 5_000) + "x\n"
        #expect(Self.refusal(items)?.description.contains("nests more than") == true)
        // Nine levels of ten aliases each stand for a billion nodes.
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(Self.refusal(bomb)?.description.contains("expands to more than") == true)
        let huge = "name: x\n# " + String(repeating: "y", count: 2 << 20)
        #expect(Self.refusal(huge)?.description.contains("larger than 1 MiB") == true)
    }

    @Test func componentMetadataDurationsAndNumbersAreBounded() throws {
        #expect(ResourceSettings.duration("1e308s") == nil || ResourceSettings.duration("1e308s")! <= .infinity)
        #expect(ResourceSettings.duration("inf") == nil)
        #expect(ResourceSettings.duration("-5") == nil)
        #expect(ResourceSettings.duration("nan") == nil)
        #expect(ResourceSettings.duration("1m30s") == 90)
    }
}
