import ArgumentParser
import Foundation
import Logging
import SwiftletHTTPTrigger
import SwiftletManifest
import SwiftletOCI
import SwiftletRuntime

/// `swiftlet daprd`: the Dapr sidecar under daprd's own command line, so whatever launches
/// `daprd` (test harnesses, process managers, sidecar specs) can launch Swiftlet instead.
struct DaprdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daprd",
        abstract: "Run the Dapr sidecar with daprd's flags.",
        discussion: """
            Takes daprd's flags as daprd does (-flag or --flag, value after a space or =): \
            --app-id (required), --app-port, --app-protocol http, --dapr-http-port (3500), \
            --dapr-grpc-port (50001), --resources-path (repeatable; default ~/.dapr/components \
            when it exists), --config, --metrics-port (9090), --enable-metrics (true), \
            --log-level (info), --app-max-concurrency (-1), --dapr-listen-addresses (0.0.0.0), \
            --enable-api-logging. Swiftlet's additions: --swiftlet-manifest FILE serves a \
            Wasm app beside the sidecar, on --swiftlet-listen host:port (127.0.0.1:3000). \
            Flags daprd has and Swiftlet does not are refused by name; see docs/cli.md.
            """)

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("daprd flags.", valueName: "flags"))
    var arguments: [String] = []

    func run() async throws {
        let flags = try DaprdFlags.parse(arguments)
        guard !flags.appID.isEmpty else { throw CLIError("swiftlet daprd needs --app-id") }
        let environment = ProcessInfo.processInfo.environment
        let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warn": .warning, "error": .error, "fatal": .critical]
        let logger = LoggingSetup.bootstrap(level: levels[flags.logLevel] ?? .info)
        for note in flags.ignored { logger.notice("accepted without effect: \(note)") }
        if let config = flags.config { try DaprConfiguration.check(config, logger: logger) }
        let listenText = flags.swiftletListen ?? (flags.swiftletManifest == nil ? "127.0.0.1:0" : "127.0.0.1:3000")
        guard let listen = ListenAddress(listenText) else {
            throw CLIError("--swiftlet-listen expects host:port, got '\(listenText)'")
        }
        let dapr = DaprOptions(
            httpPort: flags.httpPort, grpcPort: flags.grpcPort, host: flags.listenAddresses, appID: flags.appID,
            appPort: flags.appPort, apiToken: environment["DAPR_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            appToken: environment["APP_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            appMaxConcurrency: flags.appMaxConcurrency > 0 ? flags.appMaxConcurrency : nil, apiLogging: flags.enableAPILogging)
        let admin = flags.enableMetrics
            ? ListenAddress("\(flags.listenAddresses):\(flags.metricsPort)").map {
                AdminOptions(listen: $0, token: environment["SWIFTLET_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
            } : nil
        FileDescriptorLimit.raise(logger: logger)
        let manifest: AppManifest
        let cwd = FileManager.default.currentDirectoryPath
        do {
            if let path = flags.swiftletManifest {
                manifest = try ManifestParser.load(path: path)
            } else {
                // No Wasm app: an empty one named after the app, so state keys, the metadata
                // API and invocations all carry the app's id.
                let quoted = String(decoding: try JSONEncoder().encode(flags.appID), as: UTF8.self)
                manifest = try ManifestParser.parse("name: \(quoted)\n", file: "--app-id", directory: cwd)
            }
        } catch let error as ManifestError {
            throw CLIError(error.description)
        }
        var resources = flags.resourcesPaths
        if resources.isEmpty {
            // daprd's standalone default.
            let home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".dapr/components").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: home, isDirectory: &isDirectory), isDirectory.boolValue { resources = [home] }
        }
        let app: LoadedApp
        do {
            app = try await LoadedApp.load(
                manifest: manifest, resourcesPaths: resources,
                stateDirectory: environment["SWIFTLET_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
                    ?? URL(fileURLWithPath: cwd).appendingPathComponent(".swiftlet").path,
                engine: try EngineFlag.resolve(nil, environment: environment), logger: logger)
        } catch let error as ManifestError {
            throw CLIError(error.description)
        }
        try await Serving.run(
            app: app, source: flags.swiftletManifest ?? "daprd --app-id \(flags.appID)", listen: listen, dapr: dapr, admin: admin,
            sources: AppSource(), connections: ConnectionLimits(), environment: environment, logger: logger)
    }
}

/// `--config`: a Dapr `Configuration` resource. Its settings (tracing, metrics, access
/// control, features) are not applied: the file is read so a wrong path or a file that is
/// not a Configuration fails at start, and what it sets is logged as not applied.
enum DaprConfiguration {
    static func check(_ path: String, logger: Logger) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("--config: cannot read \(path)")
        }
        guard text.range(of: #"(?m)^kind:\s*Configuration\s*$"#, options: .regularExpression) != nil else {
            throw CLIError("--config: \(path) is not a Dapr Configuration (kind: Configuration)")
        }
        logger.notice("--config \(path): read; its settings are not applied (tracing comes from OTEL_* variables)")
    }
}
