import ArgumentParser
import Foundation
import SwiftletManifest
import SwiftletRuntime
import SwiftletSandbox
import SwiftletWasmHost

/// `swiftlet python`: run untrusted Python source in the sandbox agents use (`run_python`).
struct PythonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "python",
        abstract: "Run Python source in Swiftlet's sandbox (CPython for WASI, a fresh instance).",
        discussion: """
            The code sees the standard library read-only, an empty scratch /tmp, no host \
            files, no host environment and no network. Its stdout and stderr are printed and \
            its exit status becomes this process's; a run stopped by a limit exits 125 with \
            the reason on stderr. Needs scripts/install-python-sandbox.sh (or \
            SWIFTLET_PYTHON_HOME).
            """
    )

    @Option(name: .customShort("c"), help: "Program passed in as a string.")
    var command: String?

    @Argument(help: "A Python file to run, or - for stdin (default when -c is not given).")
    var file: String?

    @Option(help: ArgumentHelp("Wall-clock limit, e.g. 500ms, 10s.", valueName: "duration"))
    var timeout: String = "10s"

    @Option(help: ArgumentHelp("Linear memory limit, e.g. 256Mi.", valueName: "size"))
    var memory: String = "256Mi"

    @Option(help: ArgumentHelp("Instruction budget (fuel); none by default.", valueName: "n"))
    var fuel: UInt64?

    @Option(help: ArgumentHelp("Bytes kept of stdout and of stderr each, e.g. 1Mi.", valueName: "size"))
    var maxOutput: String = "1Mi"

    @Option(help: ArgumentHelp("Engine: wasmtime, wasmkit or auto (env SWIFTLET_ENGINE).", valueName: "engine"))
    var engine: EngineFlag?

    @Flag(help: "Print the result as JSON (stdout, stderr, exitCode, stoppedBy, reason, truncated, elapsedMilliseconds).")
    var json = false

    func run() throws {
        let source = try readSource()
        var limits = SandboxLimits.standard
        guard let milliseconds = Units.milliseconds(timeout), milliseconds > 0, milliseconds <= Units.maxMilliseconds else {
            throw CLIError("--timeout expects a duration like 500ms or 10s, got '\(timeout)'")
        }
        guard let bytes = Units.bytes(memory), bytes >= 16 << 20, bytes <= Units.maxWasmMemory else {
            throw CLIError("--memory expects a size from 16Mi to 4Gi, got '\(memory)'")
        }
        guard let output = Units.bytes(maxOutput), output > 0 else {
            throw CLIError("--max-output expects a size like 64Ki or 1Mi, got '\(maxOutput)'")
        }
        limits.timeoutMilliseconds = milliseconds
        limits.memory = bytes
        limits.fuel = fuel
        limits.outputBytes = output

        let environment = ProcessInfo.processInfo.environment
        let host = WasmHost(
            tiers: EngineTiers.available(), preferred: try EngineFlag.resolve(engine, environment: environment), workerThreads: 1)
        defer { host.shutdown() }
        let result: SandboxResult
        do {
            let sandbox = try PythonSandbox(host: host, installation: try PythonInstallation.located(environment: environment), limits: limits)
            result = sandbox.runHere(source)
        } catch {
            throw CLIError(error.description)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
            return
        }
        FileHandle.standardOutput.write(Data(result.stdout.utf8))
        FileHandle.standardError.write(Data(result.stderr.utf8))
        if let stoppedBy = result.stoppedBy {
            FileHandle.standardError.write(Data("swiftlet: stopped by \(stoppedBy): \(result.reason ?? "")\n".utf8))
            throw ExitCode(125)
        }
        if let code = result.exitCode, code != 0 { throw ExitCode(code) }
    }

    private func readSource() throws -> String {
        if let command {
            guard file == nil else { throw CLIError("give either -c CODE or a file, not both") }
            return command
        }
        if let file, file != "-" {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            return String(decoding: data, as: UTF8.self)
        }
        return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
}
