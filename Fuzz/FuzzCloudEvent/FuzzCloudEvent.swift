import FuzzSupport
import SwiftletBlocks

/// Published payloads: envelopes a client sends (`application/cloudevents+json`) and data
/// Swiftlet wraps.
func run(_ input: [UInt8]) {
    let context = CloudEvent.Context(topic: "orders", pubsubName: "pubsub", source: "fuzz")
    _ = try? CloudEvent.adopt(input, context: context)
    _ = CloudEvent.wrap(input, contentType: "application/json", context: context)
    _ = CloudEvent.wrap(input, contentType: "text/plain", context: context)
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
