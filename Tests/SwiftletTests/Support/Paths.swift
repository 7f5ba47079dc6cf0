import Foundation
import Testing

/// Locations of the repository, its built guests and the built `swiftlet` binary.
enum Paths {
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func example(_ path: String) -> String {
        repository.appendingPathComponent("examples").appendingPathComponent(path).path
    }

    /// A test guest built by `scripts/build-guests.sh`; a missing one is a test failure
    /// that says how to build it.
    static func guest(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let path = repository.appendingPathComponent("guests/build/\(name).wasm").path
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record(
                "guest \(name).wasm is not built: run scripts/build-guests.sh (it needs `apt-get install wasi-libc libclang-rt-19-dev-wasm32`)",
                sourceLocation: sourceLocation)
            throw MissingPrerequisite()
        }
        return path
    }

    /// The `swiftlet` executable next to the test bundle (built by `swift build`).
    static func swiftletBinary(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("swiftlet").path,
            repository.appendingPathComponent(".build/debug/swiftlet").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record(
                "the swiftlet binary is not built: run `swift build` before `swift test` (scripts/test.sh does)",
                sourceLocation: sourceLocation)
            throw MissingPrerequisite()
        }
        return found
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct MissingPrerequisite: Error {}
