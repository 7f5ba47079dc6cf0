#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entry point of a fuzz target built without `--sanitize=fuzzer` (a plain `swift
/// build`): runs each file named on the command line through `body`, so a crash found by
/// the fuzzer replays under the debugger or with a symbolicated backtrace. In fuzzer
/// builds libFuzzer's own `main` runs instead.
public func replayFilesAndExit(_ arguments: [String], _ body: ([UInt8]) -> Void) -> Never {
    for path in arguments.dropFirst() {
        guard let file = fopen(path, "rb") else {
            print("cannot open \(path)")
            exit(2)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        fclose(file)
        body(bytes)
        print("ran \(path) (\(bytes.count) bytes)")
    }
    exit(0)
}

/// The bytes libFuzzer hands over.
public func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}
