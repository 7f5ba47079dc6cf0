import Foundation
import SwiftletOCI
import Testing

@Suite struct AppArtifactTests {
    @Test func helloPacksDeterministicallyWithOneWasmLayerPerModule() throws {
        let manifest = Paths.example("hello/swiftlet.yaml")
        let first = try AppArtifact.pack(manifestPath: manifest)
        let second = try AppArtifact.pack(manifestPath: manifest)
        #expect(first.manifestDigest == second.manifestDigest, "the same app must pack to the same digest")

        let layers = first.manifest.layers
        #expect(layers.filter { $0.mediaType == MediaType.wasm }.compactMap(\.title).sorted() == ["hello-c.wasm", "hello-swift.wasm"])
        #expect(layers.first { $0.mediaType == MediaType.appManifest }?.title == "swiftlet.yaml")
        #expect(first.manifest.config.mediaType == MediaType.appConfig)
        #expect(first.manifest.artifactType == MediaType.appArtifact)
        #expect(first.config.name == "hello" && first.config.components["hello-swift"] == "hello-swift.wasm")
        for layer in first.layers {
            let data = try #require(FileManager.default.contents(atPath: layer.path))
            #expect(Digest.sha256(data) == layer.descriptor.digest && data.count == layer.descriptor.size)
        }
    }

    @Test func componentsAndMountedFilesTravelWithTheApp() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files: [String: String] = [
            "static/index.html": "<h1>hi</h1>",
            "static/css/site.css": "body{}",
            "components/state.yaml": "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: { name: statestore }\nspec: { type: state.sqlite, version: v1, metadata: [{ name: connectionString, value: s.db }] }\n",
            "swiftlet.yaml": """
                name: site
                version: 2.0.0
                components:
                  web: { source: web.wasm, executor: wagi, dirs: [{ source: static, destination: /static }] }
                triggers:
                  http: [{ route: /..., component: web }]
                """,
        ]
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.copyItem(atPath: Paths.example("hello/hello-c.wasm"), toPath: directory.appendingPathComponent("web.wasm").path)
        let artifact = try AppArtifact.pack(manifestPath: directory.appendingPathComponent("swiftlet.yaml").path)
        let titles = Dictionary(uniqueKeysWithValues: artifact.manifest.layers.map { ($0.title!, $0.mediaType) })
        #expect(titles == [
            "swiftlet.yaml": MediaType.appManifest, "web.wasm": MediaType.wasm, "static/css/site.css": MediaType.file,
            "static/index.html": MediaType.file, "components/state.yaml": MediaType.component,
        ])
    }

    @Test func filesOutsideTheAppDirectoryAreRefused() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("swiftlet.yaml")
        try Data("""
            name: escape
            components:
              web: { source: \(Paths.example("hello/hello-c.wasm")), executor: wagi }
            """.utf8).write(to: manifest)
        #expect {
            _ = try AppArtifact.pack(manifestPath: manifest.path)
        } throws: { error in
            "\(error)".contains("outside the app directory")
        }
    }

    @Test(arguments: ["../evil", "/etc/passwd", "a/../../b", "./x", "a//b", ""])
    func pulledLayersCannotLandOutsideTheApp(title: String) throws {
        let layer = Descriptor(mediaType: MediaType.file, digest: Digest.sha256([1]), size: 1, annotations: [titleAnnotation: title])
        let manifest = ImageManifest(
            artifactType: MediaType.appArtifact,
            config: Descriptor(mediaType: MediaType.appConfig, digest: Digest.sha256([2]), size: 1), layers: [layer])
        #expect(throws: OCIError.self) { try AppArtifact.validate(manifest) }
    }
}
