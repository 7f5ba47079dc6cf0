import Foundation
import SwiftletOCI
import Testing

/// Push, pull and serve through a real registry with the real binary, cross-checked with
/// skopeo, an independent OCI client.
@Suite(.serialized) struct RegistryTests {
    let hello = Paths.example("hello/swiftlet.yaml")

    func swiftlet(_ arguments: [String], cache: URL, environment: [String: String] = [:]) async throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        try await Subprocess.run(
            try Paths.swiftletBinary(), arguments, environment: environment.merging(["SWIFTLET_CACHE_DIR": cache.path]) { $1 })
    }

    func digest(in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("digest: ") }.map { String($0.dropFirst(8)) }
    }

    @Test func pushThenUpFromACleanCacheServesHello() async throws {
        let registry = try await OCIRegistry()
        let cache = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let reference = "oci://\(registry.address)/examples/hello:0.1.0"
        let pushed = try await swiftlet(["push", reference, "-f", hello, "--insecure"], cache: cache)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let pushedDigest = try #require(digest(in: pushed.stdout))

        let server = try Subprocess(
            try Paths.swiftletBinary(),
            ["up", reference, "--insecure", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--no-dapr"],
            environment: ["SWIFTLET_CACHE_DIR": cache.path, "SWIFTLET_ADMIN_TOKEN": "t"])
        func address(_ marker: String) async throws -> String {
            let line = try await server.waitForStderr(containing: marker)
            return String(line[line.range(of: "http://")!.lowerBound...])
        }
        let url = try await address("listening on http://")
        #expect(try await TestServer.send(url + "/swift").body == "Hello from Embedded Swift, served by a warm handler instance\n")
        #expect(try await TestServer.send(url + "/").status == 200)
        #expect(server.stderr.contains(pushedDigest), "up logs the digest it serves")
        // The version is recorded by digest, not by the tag (which may move): a rollback to
        // it gets these bytes.
        let versions = try await TestServer.send(
            try await address("admin API on http://") + "/v1/app", headers: [("Authorization", "Bearer t")])
        #expect(versions.status == 200)
        #expect(versions.body.contains("oci://\(registry.address)/examples/hello@\(pushedDigest)"), "\(versions.body)")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        // By digest too, from the cache this time (nothing downloaded).
        let again = try await swiftlet(["pull", "\(registry.address)/examples/hello@\(pushedDigest)", "--insecure"], cache: cache)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("(0 bytes downloaded)"), "\(again.stdout)")

        let missing = try await swiftlet(["pull", "\(registry.address)/examples/nothing:1", "--insecure"], cache: cache)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("was not found in the registry"), "\(missing.stderr)")
        await registry.stop()
    }

    @Test func aTamperedBlobIsRefused() async throws {
        let registry = try await OCIRegistry()
        let cache = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let reference = "\(registry.address)/tamper:1"
        #expect(try await swiftlet(["push", reference, "-f", hello, "--insecure"], cache: cache).status == 0)

        // Flip bytes of the Embedded Swift module inside the registry's own storage.
        let artifact = try AppArtifact.pack(manifestPath: hello)
        let module = try #require(artifact.manifest.layers.first { $0.title == "hello-swift.wasm" })
        let file = registry.blobFile(module.digest)
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: file)

        let pulled = try await swiftlet(["pull", reference, "--insecure"], cache: cache)
        #expect(pulled.status == 1)
        #expect(pulled.stderr.contains("hello-swift.wasm does not match its digest"), "\(pulled.stderr)")
        #expect(pulled.stderr.contains("refusing a tampered or corrupt blob"))
        let cached = FileManager.default.fileExists(atPath: BlobCache(root: cache.path).blobPath(module.digest))
        #expect(!cached, "a blob that fails its digest never enters the cache")
        await registry.stop()
    }

    @Test func skopeoReadsWhatSwiftletPushesAndSwiftletPullsWhatSkopeoPushes() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/skopeo") else {
            Issue.record("skopeo is not installed: \(OCIRegistry.hint)")
            return
        }
        let registry = try await OCIRegistry()
        let work = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let pushed = try await swiftlet(["push", "\(registry.address)/hello:1", "-f", hello, "--insecure"], cache: work)
        let pushedDigest = try #require(digest(in: pushed.stdout))

        let inspected = try await Subprocess.run(
            "/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(registry.address)/hello:1"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        #expect(Digest.sha256(Array(inspected.stdout.utf8)) == pushedDigest, "skopeo sees the manifest Swiftlet pushed, byte for byte")

        // skopeo copies the artifact out to an OCI layout and pushes it under a new name.
        let layout = work.appendingPathComponent("layout").path
        let out = try await Subprocess.run(
            "/usr/bin/skopeo",
            ["copy", "--src-tls-verify=false", "docker://\(registry.address)/hello:1", "oci:\(layout):hello"])
        #expect(out.status == 0, "\(out.stderr)")
        let back = try await Subprocess.run(
            "/usr/bin/skopeo",
            ["copy", "--dest-tls-verify=false", "oci:\(layout):hello", "docker://\(registry.address)/copied/hello:2"])
        #expect(back.status == 0, "\(back.stderr)")

        let pulled = try await swiftlet(["pull", "oci://\(registry.address)/copied/hello:2", "--insecure"], cache: work.appendingPathComponent("cache"))
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(digest(in: pulled.stdout) == pushedDigest)
        await registry.stop()
    }

    @Test func basicAuthIsAnsweredFromFlagsOrEnvironment() async throws {
        let registry = try await OCIRegistry(users: ["ci": "s3cret"])
        let cache = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let reference = "\(registry.address)/private/hello:1"

        let anonymous = try await swiftlet(["push", reference, "-f", hello, "--insecure"], cache: cache)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("needs a login"), "\(anonymous.stderr)")

        let wrong = try await swiftlet(["push", reference, "-f", hello, "--insecure", "--username", "ci", "--password", "nope"], cache: cache)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("refused the credentials"), "\(wrong.stderr)")

        let pushed = try await swiftlet(["push", reference, "-f", hello, "--insecure", "--username", "ci", "--password", "s3cret"], cache: cache)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let pulled = try await swiftlet(
            ["pull", reference, "--insecure"], cache: cache,
            environment: ["SWIFTLET_REGISTRY_USERNAME": "ci", "SWIFTLET_REGISTRY_PASSWORD": "s3cret"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        await registry.stop()
    }
}
