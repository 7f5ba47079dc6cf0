import Foundation
import SwiftletOCI
import Testing

/// A registry that lies about sizes gets a clear refusal: `swiftlet deploy oci://...` makes
/// a serving host pull, so a hostile registry must not be able to crash it.
@Suite struct HostileRegistryTests {
    static func manifest(configSize: String, layers: String = "[]") -> String {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        return """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"\(MediaType.appConfig)","digest":"\(digest)","size":\(configSize)},"layers":\(layers)}
            """
    }

    static func response(_ body: String) -> [UInt8] {
        Array("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    @Test(arguments: [
        (manifest(configSize: "9223372036854775807"), "config's size"),
        (manifest(configSize: "-1"), "config's size"),
        (
            manifest(
                configSize: "10",
                layers: #"[{"mediaType":"application/vnd.wasm.content.layer.v1+wasm","digest":"sha256:\#(String(repeating: "b", count: 64))","size":9223372036854775807,"annotations":{"org.opencontainers.image.title":"a.wasm"}}]"#),
            "claims"
        ),
    ])
    func liesAboutSizesAreRefused(lie: (String, String)) async throws {
        let (body, message) = lie
        let peer = try await ScriptedPeer(reply: Self.response(body))
        defer { Task { await peer.close() } }
        let cache = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let client = RegistryClient(insecure: true)
        let reference = try OCIReference(parsing: "127.0.0.1:\(peer.port)/apps/evil:1")
        do {
            _ = try await client.pull(reference, into: BlobCache(root: cache.path))
            Issue.record("the pull succeeded")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func anOversizedManifestIsCutOff() async throws {
        let body = Self.manifest(configSize: "1") + String(repeating: " ", count: 5 << 20)
        let peer = try await ScriptedPeer(reply: Self.response(body))
        defer { Task { await peer.close() } }
        let cache = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        do {
            _ = try await RegistryClient(insecure: true).pull(
                try OCIReference(parsing: "127.0.0.1:\(peer.port)/apps/big:1"), into: BlobCache(root: cache.path))
            Issue.record("the pull succeeded")
        } catch {
            #expect("\(error)".contains("more than the"), "\(error)")
        }
    }
}
