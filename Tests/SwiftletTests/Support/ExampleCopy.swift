import Foundation

/// A private copy of an example app, so its embedded state (`.swiftlet/`) starts empty and
/// nothing is written into the repository.
struct ExampleCopy {
    let directory: URL

    init(_ name: String) throws {
        directory = try Paths.temporaryDirectory()
        let source = Paths.repository.appendingPathComponent("examples").appendingPathComponent(name)
        for item in try FileManager.default.contentsOfDirectory(atPath: source.path) where item != ".swiftlet" {
            try FileManager.default.copyItem(at: source.appendingPathComponent(item), to: directory.appendingPathComponent(item))
        }
    }

    var manifest: String { directory.appendingPathComponent("swiftlet.yaml").path }

    func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
