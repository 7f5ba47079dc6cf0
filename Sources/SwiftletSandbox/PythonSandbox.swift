import Foundation
import SwiftletABI
import SwiftletWasmHost

/// Runs untrusted Python source in CPython for WASI, one fresh instance per run.
///
/// What the code gets: the standard library, read-only at `/lib`; an empty scratch
/// directory at `/tmp`, made for the run, capped at ``SandboxLimits/scratchBytes`` and
/// deleted afterwards; `PYTHONHOME=/` and nothing else of an environment; no other files
/// (no `/etc`, no `/proc`, no `/` to list); no sockets (WASI preview 1 cannot open one);
/// stdin from the caller. Memory, time and output are hard limits.
public final class PythonSandbox: Sendable {
    public let installation: PythonInstallation
    public let limits: SandboxLimits
    public let engine: EngineKind
    private let module: any GuestModule
    private let host: WasmHost

    /// Compiles the interpreter once (seconds on Wasmtime, less on WasmKit); runs reuse it.
    public init(host: WasmHost, installation: PythonInstallation, limits: SandboxLimits = .standard, engine: EngineChoice = .auto)
        throws(SandboxError)
    {
        self.host = host
        self.installation = installation
        self.limits = limits
        do {
            module = try host.loadModule(
                path: installation.interpreter, name: "python3.11.wasm", engine: engine, meterFuel: limits.fuel != nil)
        } catch {
            throw SandboxError("cannot load CPython: \(error)")
        }
        self.engine = module.engine
    }

    /// Runs `source` on one of the host's guest threads.
    public func run(_ source: String, stdin: [UInt8] = []) async -> SandboxResult {
        await withCheckedContinuation { continuation in
            host.workers.submit { [self] in
                continuation.resume(returning: runHere(source, stdin: stdin))
            }
        }
    }

    /// Runs `source` on the calling thread.
    public func runHere(_ source: String, stdin: [UInt8] = []) -> SandboxResult {
        let started = MonotonicClock.now()
        func elapsed() -> Double { Double(MonotonicClock.now() - started) / 1e6 }
        guard source.utf8.count <= limits.sourceBytes else {
            return SandboxResult(
                stdout: "", stderr: "", exitCode: nil, stoppedBy: "source-size",
                reason: "the source is \(source.utf8.count) bytes, over the limit of \(limits.sourceBytes)")
        }
        let scratch: String
        do {
            scratch = try Self.makeScratchDirectory()
        } catch {
            return SandboxResult(stdout: "", stderr: "", exitCode: nil, stoppedBy: "instantiation", reason: "\(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // -I: isolated (no user site, no PYTHON* variables, no script directory on the path).
        let session = GuestSession(
            arguments: ["python3.11", "-I", "-c", source], environment: ["PYTHONHOME=/"],
            stdout: .capture(limit: limits.outputBytes), stderr: .capture(limit: limits.outputBytes))
        session.begin(nil, stdin: stdin)
        defer { session.end() }
        let timeout = UInt64(limits.timeoutMilliseconds) * 1_000_000
        var result = SandboxResult(stdout: "", stderr: "", exitCode: nil)
        do {
            let instance = try module.instantiate(
                InstanceOptions(
                    memoryLimit: limits.memory,
                    mounts: [
                        DirectoryMount(hostPath: installation.library, guestPath: "/lib", writable: false),
                        DirectoryMount(hostPath: scratch, guestPath: "/tmp", writable: true),
                    ],
                    startupTimeoutNanoseconds: timeout, census: host.census, fileWriteQuota: UInt64(limits.scratchBytes)),
                session: session, prepareAhead: false)
            defer { instance.close() }
            result.exitCode = try instance.run(
                .command, fuel: limits.fuel, deadline: MonotonicClock.now() + timeout, memoryLimit: limits.memory
            ).value
        } catch {
            result.stoppedBy = error.kind.name
            result.reason = error.message
        }
        result.stdout = String(decoding: session.stdout.bytes, as: UTF8.self)
        result.stderr = String(decoding: session.stderr.bytes, as: UTF8.self)
        result.truncated = session.stdout.overflowed || session.stderr.overflowed
        if result.truncated, result.stoppedBy == nil, result.exitCode != 0 {
            result.stoppedBy = "output"
            result.reason = "the output reached its limit of \(limits.outputBytes) bytes"
        }
        result.elapsedMilliseconds = elapsed()
        return result
    }

    private static func makeScratchDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/swiftlet-sandbox-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SandboxError("cannot create a scratch directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
