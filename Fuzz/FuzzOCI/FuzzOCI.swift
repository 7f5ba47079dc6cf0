import Foundation
import FuzzSupport
import SwiftletOCI

/// What a registry sends: manifests, app configs, authentication challenges, and the
/// references users type. The first byte picks which.
func run(_ input: [UInt8]) {
    guard let selector = input.first else { return }
    let rest = Array(input.dropFirst())
    switch selector % 4 {
    case 0:
        if let manifest = try? JSONDecoder().decode(ImageManifest.self, from: Data(rest)) {
            try? AppArtifact.validate(manifest)
        }
    case 1:
        _ = try? JSONDecoder().decode(AppConfig.self, from: Data(rest))
    case 2:
        _ = AuthChallenge(String(decoding: rest, as: UTF8.self))
    default:
        _ = try? OCIReference(parsing: String(decoding: rest, as: UTF8.self))
    }
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
