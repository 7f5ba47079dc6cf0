/// What a sandboxed run produced. A run the sandbox stopped still returns its output so far.
public struct SandboxResult: Sendable, Equatable, Codable {
    public var stdout: String
    public var stderr: String
    /// The interpreter's exit status; nil when a limit stopped it first.
    public var exitCode: Int32?
    /// The limit or fault that stopped the run (`timeout`, `memory`, `fuel`, `trap`...), as
    /// the host names failures; nil when the code ran to its end.
    public var stoppedBy: String?
    /// Why, in words, when ``stoppedBy`` is set.
    public var reason: String?
    /// Whether stdout or stderr reached the output limit and lost the rest.
    public var truncated: Bool
    public var elapsedMilliseconds: Double

    /// Whether the code ran to its end with status 0.
    public var succeeded: Bool { stoppedBy == nil && exitCode == 0 }

    public init(
        stdout: String, stderr: String, exitCode: Int32?, stoppedBy: String? = nil, reason: String? = nil,
        truncated: Bool = false, elapsedMilliseconds: Double = 0
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
        self.stoppedBy = stoppedBy
        self.reason = reason
        self.truncated = truncated
        self.elapsedMilliseconds = elapsedMilliseconds
    }
}
