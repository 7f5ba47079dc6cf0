import Foundation
import SwiftletSandbox
import SwiftletWasmHost
import Testing

/// Untrusted Python in the sandbox: it computes, and every way out is refused or stopped
/// with a status that says which limit it met, on both tiers.
@Suite("Python sandbox") struct PythonSandboxTests {
    /// Small memory and output limits so the stopping cases stay quick. The time limit is
    /// generous: a debug build of the interpreter tier takes 10–30 s to start and finalize
    /// CPython beside the parallel suites (seen past 20 s in CI); the cases that test the
    /// time limit set their own.
    static let limits = SandboxLimits(
        memory: 64 << 20, timeoutMilliseconds: Int(Timing.bound(120) * 1000), fuel: nil, outputBytes: 64 << 10,
        scratchBytes: 1 << 20, sourceBytes: 64 << 10)

    static func sandbox(_ engine: EngineKind, limits: SandboxLimits = limits) throws -> (PythonSandbox, WasmHost) {
        try Engines.require(engine)
        let installation: PythonInstallation
        do {
            installation = try PythonInstallation.located()
        } catch {
            Issue.record("\(error)")
            throw MissingPrerequisite()
        }
        let host = WasmHost(tiers: Engines.tiers, preferred: engine, workerThreads: 2)
        return (try PythonSandbox(host: host, installation: installation, limits: limits, engine: .kind(engine)), host)
    }

    @Test(arguments: Engines.all) func pythonComputes(engine: EngineKind) async throws {
        let (sandbox, host) = try Self.sandbox(engine)
        defer { host.shutdown() }
        #expect(sandbox.engine == engine)
        let result = await sandbox.run("print(sum(range(10)))")
        #expect(result.stdout == "45\n")
        #expect(result.succeeded, "\(result)")
        let echoed = await sandbox.run("import sys; data = sys.stdin.read(); print(data.upper()); sys.exit(3)", stdin: Array("hi".utf8))
        #expect(echoed.stdout == "HI\n")
        #expect(echoed.exitCode == 3)
        #expect(echoed.stoppedBy == nil)
        let tooLong = await sandbox.run(String(repeating: "#", count: Self.limits.sourceBytes + 1))
        #expect(tooLong.stoppedBy == "source-size", "source past its limit is refused before any instance runs")
    }

    /// The tier agents' code runs on. The escape and limit cases below exercise WASI and
    /// limits that both tiers share (and LimitTests checks each tier's limits); a debug build
    /// of the interpreter tier runs CPython too slowly (importing `socket` alone takes over
    /// 20 s) for them to finish within their own limits, so they run on Wasmtime.
    static let compiled: [EngineKind] = [.wasmtime]

    @Test(arguments: compiled) func hostFilesEnvironmentAndNetworkAreOutOfReach(engine: EngineKind) async throws {
        let (sandbox, host) = try Self.sandbox(engine)
        defer { host.shutdown() }
        setenv("SWIFTLET_SANDBOX_SECRET", "do-not-leak", 1)
        let probes = """
            import os, socket
            def attempt(name, action):
                try:
                    print(name, "allowed", repr(action())[:40])
                except Exception as error:
                    print(name, "refused", type(error).__name__)
            attempt("passwd", lambda: open("/etc/passwd").read())
            attempt("proc", lambda: open("/proc/self/environ").read())
            attempt("root", lambda: os.listdir("/"))
            attempt("parent", lambda: os.listdir("/tmp/.."))
            attempt("escape", lambda: open("/lib/../../etc/passwd").read())
            attempt("library-write", lambda: open("/lib/python3.11/os.py", "a").write("x"))
            attempt("socket", lambda: socket.create_connection(("127.0.0.1", 22), timeout=1))
            print("environment", sorted(os.environ))
            """
        let result = await sandbox.run(probes)
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for probe in ["passwd", "proc", "root", "parent", "escape", "library-write", "socket"] {
            #expect(lines.contains { $0.hasPrefix("\(probe) refused") }, "\(probe): \(result.stdout)")
        }
        #expect(lines.contains("environment ['PYTHONHOME']"), "\(result.stdout)")
        #expect(!result.stdout.contains("do-not-leak"))
    }

    @Test(arguments: compiled) func runawayCodeIsStoppedByTheLimitItMeets(engine: EngineKind) async throws {
        var limits = Self.limits
        limits.timeoutMilliseconds = Int(Timing.bound(3) * 1000)
        let (sandbox, host) = try Self.sandbox(engine, limits: limits)
        defer { host.shutdown() }

        let loop = await sandbox.run("while True: pass")
        #expect(loop.stoppedBy == "timeout", "\(loop)")
        #expect(loop.exitCode == nil)

        let hog = await sandbox.run("chunks = []\nwhile True: chunks.append(bytearray(1 << 20))")
        #expect(hog.stoppedBy == nil && hog.exitCode != 0 && hog.stderr.contains("MemoryError") || hog.stoppedBy == "memory", "\(hog)")

        let flood = await sandbox.run("import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024): sys.stdout.write(chunk)")
        #expect(flood.stoppedBy == "output", "\(flood)")
        #expect(flood.truncated)
        #expect(flood.stdout.utf8.count <= limits.outputBytes)

        let recursion = await sandbox.run("def down(n): return down(n + 1)\ndown(0)")
        #expect(recursion.stoppedBy == nil || recursion.stoppedBy == "trap", "\(recursion)")
        #expect(recursion.exitCode != 0)
        #expect(recursion.stderr.contains("RecursionError") || recursion.stoppedBy == "trap", "\(recursion)")
    }

    @Test(arguments: Engines.all) func theScratchDirectoryIsPrivateCappedAndGone(engine: EngineKind) async throws {
        let (sandbox, host) = try Self.sandbox(engine)
        defer { host.shutdown() }
        let write = """
            import os
            with open("/tmp/notes.txt", "w") as f: f.write("kept for this run")
            print(open("/tmp/notes.txt").read(), os.listdir("/tmp"))
            try:
                with open("/tmp/big", "wb") as f:
                    for _ in range(64): f.write(b"x" * (64 << 10))
                print("wrote", os.path.getsize("/tmp/big"))
            except OSError as error:
                print("refused", error.errno)
            try:
                with open("/tmp/sparse", "wb") as f: f.truncate(64 << 20)
                print("extended")
            except OSError as error:
                print("extend refused", error.errno)
            """
        let first = await sandbox.run(write)
        #expect(first.stdout.hasPrefix("kept for this run ['notes.txt']"), "\(first)")
        #expect(first.stdout.contains("refused 51"), "writes past 1 MiB get ENOSPC: \(first.stdout)")
        #expect(first.stdout.contains("extend refused 51"), "a file sized past the quota gets ENOSPC: \(first.stdout)")
        let second = await sandbox.run("import os; print(os.listdir('/tmp'))")
        #expect(second.stdout == "[]\n", "each run starts with an empty /tmp")
    }

    @Test(arguments: compiled) func aStoppedRunLeavesOtherRunsServed(engine: EngineKind) async throws {
        var limits = Self.limits
        limits.timeoutMilliseconds = Int(Timing.bound(2) * 1000)
        let (sandbox, host) = try Self.sandbox(engine, limits: limits)
        defer { host.shutdown() }
        async let loop = sandbox.run("while True: pass")
        async let answer = sandbox.run("print(6 * 7)")
        let (stopped, answered) = await (loop, answer)
        #expect(stopped.stoppedBy == "timeout")
        #expect(answered.stdout == "42\n")
        #expect(host.census.liveInstances == 0, "every run's instance is freed")
        #expect(host.census.linearMemoryBytes == 0)
    }
}
