import Foundation
import SwiftletWasmHost
import Testing

/// WASI behaviours the official test suite checks where WasmKit 0.4.2's implementation
/// differs, as Swiftlet corrects them on both tiers (through `swiftlet run`, as the suite is
/// run).
@Suite struct WASIConformanceTests {
    @Test(arguments: Engines.all) func symlinksAllocateAndSynchronizedIO(engine: EngineKind) async throws {
        try Engines.require(engine)
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await Subprocess.run(
            try Paths.swiftletBinary(),
            ["run", "--engine", engine.rawValue, "--dir", "\(directory.path)::/", try Paths.guest("wasi-compat")])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Set(result.stdout.split(separator: "\n").map(String.init))
        for expected in [
            "symlink_absolute=EPERM", "symlink_relative=ok", "allocate_directory=EBADF", "sync_flag=kept",
            "sync_write=8", "dsync_flag=kept", "plain_flags=none",
        ] {
            #expect(lines.contains(expected), "\(expected) in:\n\(result.stdout)")
        }
        #expect(try String(contentsOf: directory.appendingPathComponent("synced"), encoding: .utf8) == "durable\n")
        let escape = directory.appendingPathComponent("escape").path
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: escape)) == nil, "no link to the host's /etc")
    }
}
