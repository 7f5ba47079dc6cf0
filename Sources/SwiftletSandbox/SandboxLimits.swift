/// What one sandboxed run may use. Every field is a hard limit: reaching it stops the run
/// (or refuses the write) and the result says which limit it was.
public struct SandboxLimits: Sendable, Equatable, Codable {
    /// Linear memory, bytes.
    public var memory: Int
    /// Wall-clock time, milliseconds.
    public var timeoutMilliseconds: Int
    /// Instructions (fuel); nil leaves the run to its time limit.
    public var fuel: UInt64?
    /// Bytes kept of stdout and of stderr each; a write past it fails (`EFBIG`) and the
    /// result is marked `truncated`.
    public var outputBytes: Int
    /// Bytes the code may write into its scratch directory (`/tmp`) in all.
    public var scratchBytes: Int
    /// Source code accepted, bytes.
    public var sourceBytes: Int

    public static let standard = SandboxLimits(
        memory: 256 << 20, timeoutMilliseconds: 10_000, fuel: nil, outputBytes: 1 << 20, scratchBytes: 16 << 20,
        sourceBytes: 1 << 20)

    public init(memory: Int, timeoutMilliseconds: Int, fuel: UInt64?, outputBytes: Int, scratchBytes: Int, sourceBytes: Int) {
        self.memory = memory
        self.timeoutMilliseconds = timeoutMilliseconds
        self.fuel = fuel
        self.outputBytes = outputBytes
        self.scratchBytes = scratchBytes
        self.sourceBytes = sourceBytes
    }
}
