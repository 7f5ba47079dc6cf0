import FuzzSupport
import SwiftletWasmHost

/// A WAGI guest's stdout (any bytes a guest writes): a response or a GuestFailure.
func run(_ input: [UInt8]) {
    _ = try? CGI.parseResponse(input)
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
