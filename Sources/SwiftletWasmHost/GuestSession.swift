import SwiftletABI

/// Per-instance state that host functions read: the call in progress, its WASI argv and
/// environment, and where its standard streams go.
///
/// Thread-confined: only the worker running the instance touches it. Instances move between
/// workers through pools guarded by locks, which order those accesses.
public final class GuestSession: @unchecked Sendable {
    /// The call being served, or `nil` between calls.
    public var call: GuestCall?
    /// WASI `argv` for the current run.
    public var arguments: [String]
    /// WASI environment for the current run, as `NAME=value` entries.
    public var environment: [String]
    /// Standard input for the current run.
    public var stdin: [UInt8] = []
    var stdinOffset = 0
    public var stdout: StdioSink
    public var stderr: StdioSink

    public init(arguments: [String] = [], environment: [String] = [], stdout: StdioSink = .discard, stderr: StdioSink = .discard) {
        self.arguments = arguments
        self.environment = environment
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Reads standard input into `buffer`, returning the byte count (0 at end).
    func readStdin(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, stdin.count - stdinOffset)
        guard count > 0 else { return 0 }
        stdin.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[stdinOffset..<stdinOffset + count]))
        }
        stdinOffset += count
        return count
    }

    /// Writes guest output to stream 1 or 2.
    func write(stream: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if stream == 1 {
            return stdout.write(bytes, call: call)
        } else {
            return stderr.write(bytes, call: call)
        }
    }

    /// Prepares the session for a new run.
    public func begin(_ call: GuestCall?, stdin: [UInt8] = []) {
        self.call = call
        self.stdin = stdin
        self.stdinOffset = 0
        stdout.reset()
        stderr.reset()
    }

    /// Flushes partial log lines and detaches the call.
    public func end() {
        stdout.flushLine(call: call)
        stderr.flushLine(call: call)
        call = nil
        stdin = []
    }
}

/// Destination of a guest's standard output or error stream.
public struct StdioSink: Sendable {
    enum Target: Sendable {
        case discard
        case capture(limit: Int)
        case log(GuestLogLevel)
        case descriptor(Int32)
    }

    let target: Target
    /// Captured bytes (``capture(limit:)``) or the unfinished log line (``log(_:)``).
    public private(set) var bytes: [UInt8] = []
    /// Whether a capture hit its limit; further output was refused.
    public private(set) var overflowed = false

    /// Drops output.
    public static let discard = StdioSink(target: .discard)
    /// Keeps output in memory up to `limit` bytes (a WAGI response).
    public static func capture(limit: Int) -> StdioSink { StdioSink(target: .capture(limit: limit)) }
    /// Sends each line to the current call's log at `level`.
    public static func log(_ level: GuestLogLevel) -> StdioSink { StdioSink(target: .log(level)) }
    /// Writes straight to a host file descriptor (`swiftlet run`).
    public static func descriptor(_ fd: Int32) -> StdioSink { StdioSink(target: .descriptor(fd)) }

    /// Whether the guest should treat the stream as a terminal (line-buffered). Captures
    /// are not, so libc buffers fully and a response costs one host call, not one per line.
    var isInteractive: Bool {
        if case .capture = target { return false }
        return true
    }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        overflowed = false
    }

    /// Returns `false` when output must be refused (capture over its limit).
    mutating func write(_ data: UnsafeRawBufferPointer, call: GuestCall?) -> Bool {
        switch target {
        case .discard:
            return true
        case .capture(let limit):
            guard bytes.count + data.count <= limit else {
                overflowed = true
                return false
            }
            bytes.append(contentsOf: data)
            return true
        case .descriptor(let fd):
            var offset = 0
            while offset < data.count {
                let written = systemWrite(fd, data.baseAddress! + offset, data.count - offset)
                if written <= 0 { return false }
                offset += written
            }
            return true
        case .log(let level):
            bytes.append(contentsOf: data)
            // Emit complete lines; keep a long unterminated line bounded.
            while let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                emit(level, bytes[..<newline], call: call)
                bytes.removeSubrange(...newline)
            }
            if bytes.count > 16 << 10 {
                emit(level, bytes[...], call: call)
                bytes.removeAll(keepingCapacity: true)
            }
            return true
        }
    }

    mutating func flushLine(call: GuestCall?) {
        if case .log(let level) = target, !bytes.isEmpty {
            emit(level, bytes[...], call: call)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    private func emit(_ level: GuestLogLevel, _ line: ArraySlice<UInt8>, call: GuestCall?) {
        call?.log(level, String(decoding: line, as: UTF8.self))
    }
}
