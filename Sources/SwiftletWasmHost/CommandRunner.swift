import SwiftletABI

/// Runs a WASI command module once, as `swiftlet run` does: the process's own stdio,
/// argv and environment from the caller, Swiftlet's limits.
public struct CommandRunner: Sendable {
    public var arguments: [String]
    public var environment: [String: String]
    public var mounts: [DirectoryMount]
    public var memoryLimit: Int
    public var fuel: UInt64?
    public var timeoutMilliseconds: Int?
    /// Counts the run's instance while its engine state is alive.
    public var census = InstanceCensus()

    public init(
        arguments: [String] = [], environment: [String: String] = [:], mounts: [DirectoryMount] = [],
        memoryLimit: Int = 4 << 30, fuel: UInt64? = nil, timeoutMilliseconds: Int? = nil
    ) {
        self.arguments = arguments
        self.environment = environment
        self.mounts = mounts
        self.memoryLimit = memoryLimit
        self.fuel = fuel
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Runs `module` to completion on the calling thread and returns its exit code.
    public func run(_ module: any GuestModule) throws(GuestFailure) -> Int32 {
        let session = GuestSession(
            arguments: arguments,
            environment: environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        let timeout = timeoutMilliseconds.map { UInt64($0) * 1_000_000 }
        let instance = try module.instantiate(
            InstanceOptions(
                memoryLimit: memoryLimit, mounts: mounts, inheritStdio: true,
                startupTimeoutNanoseconds: timeout ?? UInt64.max / 4, census: census),
            session: session, prepareAhead: false)
        defer { instance.close() }
        let deadline = timeout.map { MonotonicClock.now() + $0 }
        return try instance.run(.command, fuel: fuel, deadline: deadline, memoryLimit: memoryLimit).value
    }
}
