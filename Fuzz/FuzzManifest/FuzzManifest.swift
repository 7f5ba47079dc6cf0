import FuzzSupport
import SwiftletManifest

/// `swiftlet.yaml` from anywhere (an app pulled from a registry included): any bytes give a
/// manifest or a ManifestError, never a trap.
func run(_ input: [UInt8]) {
    _ = try? ManifestParser.parse(String(decoding: input, as: UTF8.self), file: "fuzz.yaml", directory: "/nonexistent", requireModules: false)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    run(bytes(data, size))
    return 0
}

/// Only in builds without `--sanitize=fuzzer`: replays the files named on the command line.
@main enum Main {
    static func main() { replayFilesAndExit(CommandLine.arguments, run) }
}
