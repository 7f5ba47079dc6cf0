import ArgumentParser
import Foundation
import SwiftletCore
import SwiftletMCP
import Logging
import SwiftletDaprAPI
import SwiftletHTTPTrigger
import SwiftletManifest
import SwiftletOCI
import ServiceLifecycle
import SwiftletRuntime
import SwiftletTelemetry

/// `swiftlet up`: serve an app until SIGTERM or SIGINT, then drain and exit 0.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Serve an app's components over HTTP.",
        discussion: """
            Loads the manifest, instantiates every component and serves its HTTP routes, \
            and Dapr's HTTP and gRPC APIs for ordinary apps beside it (DAPR_API_TOKEN, when \
            set, is required on every API call; APP_API_TOKEN is sent to the app). \
            The health endpoint is /.well-known/swiftlet/health. SIGTERM or SIGINT stops \
            accepting connections, lets in-flight requests finish, then exits 0.
            """
    )

    @Argument(help: ArgumentHelp(
        "An app to serve instead of -f: a directory holding swiftlet.yaml, a manifest path, or oci://registry/repository[:tag|@digest].",
        valueName: "app"))
    var app: String?

    @Option(name: [.short, .customLong("file")], help: "The app manifest.")
    var file = "swiftlet.yaml"

    @OptionGroup(title: "Registry (for oci:// apps)") var registry: RegistryOptions

    @Option(help: ArgumentHelp("Address to listen on: host:port.", valueName: "host:port"))
    var listen = "127.0.0.1:3000"

    @Option(help: ArgumentHelp(
        "Directory of Dapr component YAML (default: components/ beside the manifest; without one, embedded SQLite state and pub/sub).",
        valueName: "dir"))
    var components: String?

    @Option(help: ArgumentHelp(
        "Serve /metrics and the deployment API (token SWIFTLET_ADMIN_TOKEN) on host:port.", valueName: "host:port"))
    var adminListen: String?

    @Option(help: ArgumentHelp(
        "Where runtime state goes (embedded databases, staged files); default .swiftlet/ beside the manifest (env SWIFTLET_STATE_DIR).",
        valueName: "dir"))
    var stateDir: String?

    @Flag(help: "Serve only the app's routes, without Dapr's HTTP and gRPC APIs.")
    var noDapr = false

    @Option(help: ArgumentHelp("Address the Dapr APIs listen on.", valueName: "host"))
    var daprListenAddresses = "127.0.0.1"

    @Option(help: "Port of the Dapr HTTP API (0 picks a free one).")
    var daprHttpPort = 3500

    @Option(help: "Port of the Dapr gRPC API (0 picks a free one).")
    var daprGrpcPort = 50001

    @Option(help: "Id of an ordinary app beside Swiftlet (needs --app-port).")
    var appId: String?

    @Option(help: "Port the app listens on, on 127.0.0.1: Swiftlet delivers its events and invocations there.")
    var appPort: Int?

    @Option(help: ArgumentHelp("YAML file mapping other apps' ids to their Swiftlet's Dapr HTTP address (peers: {id: http://host:port}).", valueName: "file"))
    var peers: String?

    @Option(help: "Threads serving requests and running guests at once (default: one per core; env SWIFTLET_WORKERS).")
    var workers: Int?

    @Option(help: ArgumentHelp(
        "Engine for components whose manifest says auto (or nothing): wasmtime, wasmkit or auto (env SWIFTLET_ENGINE).",
        valueName: "engine"))
    var engine: EngineFlag?

    @Option(help: ArgumentHelp(
        "Close a connection with no request in progress after this (default 60s).", valueName: "duration"))
    var idleTimeout = "60s"

    @Option(help: ArgumentHelp(
        "Close a connection whose request has not fully arrived after this (default 60s).", valueName: "duration"))
    var readTimeout = "60s"

    @Option(help: ArgumentHelp(
        "Close a connection whose response could not be written for this long (default 60s).", valueName: "duration"))
    var writeTimeout = "60s"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env SWIFTLET_LOG).")
    var logLevel: Logger.Level?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let level = logLevel ?? environment["SWIFTLET_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let logger = LoggingSetup.bootstrap(level: level)
        guard let address = ListenAddress(listen) else {
            throw CLIError("--listen expects host:port, got '\(listen)'")
        }
        let workerThreads = workers ?? environment["SWIFTLET_WORKERS"].flatMap(Int.init)
        if let workerThreads, workerThreads < 1 { throw CLIError("--workers must be at least 1") }
        // Flags are checked before anything loads, so a typo costs no start-up.
        let dapr = try daprOptions(environment)
        let connections = try connectionLimits()
        FileDescriptorLimit.raise(logger: logger)
        let (manifestPath, source) = try await resolveManifest(logger: logger)
        let app: LoadedApp
        do {
            app = try await LoadedApp.load(
                manifestPath: manifestPath, componentsDirectory: components, workerThreads: workerThreads,
                stateDirectory: stateDir ?? environment["SWIFTLET_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 },
                engine: try EngineFlag.resolve(engine, environment: environment), logger: logger)
        } catch let error as ManifestError {
            throw CLIError(error.description)
        }
        var admin: AdminOptions?
        if let adminListen {
            guard let adminAddress = ListenAddress(adminListen) else {
                await app.close()
                throw CLIError("--admin-listen expects host:port, got '\(adminListen)'")
            }
            admin = AdminOptions(listen: adminAddress, token: environment["SWIFTLET_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }
        try await Serving.run(
            app: app, source: source, listen: address, dapr: dapr, admin: admin, sources: registry.source,
            connections: connections, environment: environment, logger: logger)
    }

    /// `-f`, or the positional app: a directory, a manifest, or an artifact pulled first;
    /// with the source to record for it (an artifact by digest).
    func resolveManifest(logger: Logger) async throws -> (manifestPath: String, source: String) {
        guard let app else { return (file, file) }
        do {
            let (path, pulled) = try await registry.source.resolve(app)
            if let pulled {
                logger.info("pulled \(app) (\(pulled.manifestDigest), \(pulled.bytesDownloaded) bytes downloaded)")
            }
            return (path, pulled?.pinnedSource ?? app)
        } catch let error as OCIError {
            throw CLIError(error.description)
        }
    }

    func connectionLimits() throws -> ConnectionLimits {
        func duration(_ text: String, _ flag: String) throws -> Duration {
            guard let milliseconds = Units.milliseconds(text, bareUnit: 1000), milliseconds > 0,
                milliseconds <= Units.maxMilliseconds
            else {
                throw CLIError("\(flag) expects a duration like 30s or 2m, at most 24h; got '\(text)'")
            }
            return .milliseconds(milliseconds)
        }
        return ConnectionLimits(
            idleTimeout: try duration(idleTimeout, "--idle-timeout"), readTimeout: try duration(readTimeout, "--read-timeout"),
            writeTimeout: try duration(writeTimeout, "--write-timeout"))
    }

    func daprOptions(_ environment: [String: String]) throws -> DaprOptions? {
        if (appId == nil) != (appPort == nil) { throw CLIError("--app-id and --app-port go together") }
        if noDapr {
            guard appId == nil, peers == nil else { throw CLIError("--app-id and --peers need the Dapr APIs (drop --no-dapr)") }
            return nil
        }
        guard !daprListenAddresses.contains(",") else {
            throw CLIError("--dapr-listen-addresses takes one address in this version, got '\(daprListenAddresses)'")
        }
        var peerMap: [String: String] = [:]
        if let peers {
            do {
                peerMap = try PeerDirectory.load(peers)
            } catch {
                throw CLIError(error.message)
            }
        }
        return DaprOptions(
            httpPort: daprHttpPort, grpcPort: daprGrpcPort, host: daprListenAddresses, appID: appId, appPort: appPort, peers: peerMap,
            apiToken: environment["DAPR_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            appToken: environment["APP_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
    }
}
