import FuzzSupport
import NIOCore
import SwiftletNATS

/// A NATS server's byte stream: events until the input ends, or a ProtocolError.
func run(_ input: [UInt8]) {
    var buffer = ByteBuffer(bytes: input)
    while buffer.readableBytes > 0, let event = try? NATSDecoder.parse(&buffer) {
        _ = event
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
