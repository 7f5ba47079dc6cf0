import FuzzSupport
import SwiftletManifest

/// Dapr component and subscription YAML: resources or a ManifestError, never a trap.
func run(_ input: [UInt8]) {
    var resources = ResourceLoader.Resources()
    try? ResourceLoader.parse(String(decoding: input, as: UTF8.self), file: "fuzz.yaml", into: &resources)
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
