import FuzzSupport
import SwiftletDaprAPI

/// Bodies of Dapr's HTTP API requests, from any client. The first byte picks the decoder.
func run(_ input: [UInt8]) {
    guard let selector = input.first else { return }
    let body = Array(input.dropFirst())
    switch selector % 4 {
    case 0: _ = try? DaprHTTPRequests.stateItems(body)
    case 1: _ = try? DaprHTTPRequests.bulkKeys(body)
    case 2: _ = try? DaprHTTPRequests.transaction(body)
    default: _ = try? DaprHTTPRequests.binding(body)
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
