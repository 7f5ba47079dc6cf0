import ArgumentParser
import Foundation
import SwiftletManifest
import SwiftletRuntime
import SwiftletWasmHost

/// `swiftlet run`: run a WASI command module once, like `wasmtime run`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a WASI command module with Swiftlet's limits.",
        discussion: """
            stdin, stdout and stderr are passed through and the module's exit code becomes \
            this process's. Flags follow Wasmtime: --env NAME=VALUE, --dir HOST[::GUEST], and \
            -W fuel=N,max-memory-size=BYTES,timeout=DURATION (e.g. -W timeout=2s).
            """
    )

    @Option(name: .customLong("env"), help: ArgumentHelp("Set an environment variable.", valueName: "NAME=VALUE"))
    var environment: [String] = []

    @Option(
        name: .customLong("dir"),
        help: ArgumentHelp("Preopen a host directory, at GUEST (default: the same path).", valueName: "HOST[::GUEST]"))
    var directories: [String] = []

    @Option(
        name: .customShort("W"),
        help: ArgumentHelp("Limits: fuel=N, max-memory-size=BYTES, timeout=DURATION.", valueName: "KEY=VALUE,..."))
    var limits: [String] = []

    @Option(help: ArgumentHelp(
        "Engine: wasmtime, wasmkit or auto (Wasmtime when its library is installed; env SWIFTLET_ENGINE).",
        valueName: "engine"))
    var engine: EngineFlag?

    @Argument(help: "The .wasm module.")
    var module: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the module.")
    var arguments: [String] = []

    func run() throws {
        var runner = CommandRunner(arguments: [module] + arguments)
        for entry in environment {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw CLIError("--env expects NAME=VALUE, got '\(entry)'")
            }
            runner.environment[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        for entry in directories {
            runner.mounts.append(try Self.mount(entry))
        }
        for group in limits {
            for setting in group.split(separator: ",") {
                try apply(String(setting), to: &runner)
            }
        }
        let host = WasmHost(
            tiers: EngineTiers.available(), preferred: try EngineFlag.resolve(engine, environment: ProcessInfo.processInfo.environment),
            workerThreads: 1)
        defer { host.shutdown() }
        let code: Int32
        do {
            let loaded = try host.loadModule(
                path: module, name: (module as NSString).lastPathComponent, meterFuel: runner.fuel != nil)
            code = try runner.run(loaded)
        } catch let error as ModuleLoadError {
            throw CLIError(error.description)
        } catch let error as GuestFailure {
            throw CLIError("\(module): \(error.kind): \(error.message)")
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// `HOST[::GUEST]`, as Wasmtime spells it.
    static func mount(_ entry: String) throws -> DirectoryMount {
        let parts = entry.components(separatedBy: "::")
        guard parts.count <= 2, let host = parts.first, !host.isEmpty else {
            throw CLIError("--dir expects HOST[::GUEST], got '\(entry)'")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: host, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("--dir: '\(host)' is not a directory")
        }
        let guest = parts.count == 2 ? parts[1] : host
        return DirectoryMount(hostPath: host, guestPath: guest, writable: true)
    }

    func apply(_ setting: String, to runner: inout CommandRunner) throws {
        let pair = setting.split(separator: "=", maxSplits: 1).map(String.init)
        guard pair.count == 2 else { throw CLIError("-W expects KEY=VALUE, got '\(setting)'") }
        switch pair[0] {
        case "fuel":
            guard let fuel = UInt64(pair[1]), fuel > 0 else { throw CLIError("-W fuel expects a positive number") }
            runner.fuel = fuel
        case "max-memory-size":
            guard let bytes = Units.bytes(pair[1]), bytes >= 65536, bytes <= Units.maxWasmMemory else {
                throw CLIError("-W max-memory-size expects a size from 64Ki to 4Gi (e.g. 65536, 64Mi)")
            }
            runner.memoryLimit = bytes
        case "timeout":
            // A bare number is seconds, as in Wasmtime.
            guard let milliseconds = Units.milliseconds(pair[1], bareUnit: 1000), milliseconds > 0,
                milliseconds <= Units.maxMilliseconds
            else {
                throw CLIError("-W timeout expects a duration like 500ms, 2s or 1m, at most 24h")
            }
            runner.timeoutMilliseconds = milliseconds
        default:
            throw CLIError("-W: unknown setting '\(pair[0])' (fuel, max-memory-size, timeout)")
        }
    }
}
