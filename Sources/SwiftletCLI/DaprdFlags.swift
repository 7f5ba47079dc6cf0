/// `daprd`'s command line, read the way daprd (Go's `flag` package) reads it: `-name value`,
/// `--name value`, `--name=value`, and booleans as `--name` or `--name=false`. Flags Swiftlet
/// honours are parsed; flags it accepts without effect are listed with the reason; any other
/// daprd flag is refused by name with what to do instead, so a launcher never runs a sidecar
/// that silently ignores what it asked for.
struct DaprdFlags: Equatable {
    var appID = ""
    var appPort: Int?
    var appProtocol = "http"
    var httpPort = 3500
    var grpcPort = 50001
    var resourcesPaths: [String] = []
    var config: String?
    var metricsPort = 9090
    var enableMetrics = true
    var logLevel = "info"
    var appMaxConcurrency = -1
    /// Dapr's default: every interface.
    var listenAddresses = "0.0.0.0"
    var enableAPILogging = false
    /// Swiftlet's own additions: Wasm functions served beside the sidecar.
    var swiftletManifest: String?
    var swiftletListen: String?
    /// Accepted flags that change nothing here, with the reason (logged at start).
    var ignored: [String] = []

    /// daprd flags Swiftlet accepts and does not need, and why.
    static let accepted: [String: String] = [
        "placement-host-address": "Swiftlet has no actors, so no placement service",
        "scheduler-host-address": "jobs are scheduled in-process on the state store",
        "mode": "only standalone mode exists",
        "app-channel-address": "the app is reached on 127.0.0.1",
        "profile-port": "there is no profiling endpoint",
        "enable-profiling": "there is no profiling endpoint",
        "dapr-http-max-request-size": "request bodies are bounded by Swiftlet's own limit",
        "dapr-http-read-buffer-size": "header sizes are bounded by Swiftlet's own limit",
        "dapr-graceful-shutdown-seconds": "in-flight requests always drain on SIGTERM",
        "log-as-json": "logs are text lines",
    ]

    /// daprd flags Swiftlet refuses, with what to do instead.
    static let refused: [String: String] = [
        "enable-mtls": "mTLS through Sentry is not supported; terminate TLS in front of the sidecar",
        "sentry-address": "mTLS through Sentry is not supported",
        "control-plane-address": "there is no control plane",
        "kubernetes-mode": "only standalone mode exists",
        "dapr-internal-grpc-port": "sidecars reach each other over the HTTP API (swiftlet up --peers)",
        "app-ssl": "the app channel speaks plain HTTP",
        "components-path": "renamed --resources-path in Dapr 1.9; use --resources-path",
        "unix-domain-socket": "the APIs listen on TCP only",
        "dapr-public-port": "there is no public health port; use --metrics-port's /healthz or the API's /v1.0/healthz",
        "app-health-check-path": "app health checks are not supported",
        "enable-app-health-check": "app health checks are not supported",
        "allowed-origins": "CORS is not supported",
        "dapr-block-shutdown-duration": "not supported",
    ]

    static let booleans: Set<String> = ["enable-api-logging", "enable-metrics", "enable-profiling", "log-as-json", "enable-mtls", "app-ssl",
                                        "enable-app-health-check"]

    static func parse(_ arguments: [String]) throws(CLIError) -> DaprdFlags {
        var flags = DaprdFlags()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "-", argument != "--" else {
                throw CLIError("daprd takes flags only; unexpected argument '\(argument)'")
            }
            let body = argument.drop { $0 == "-" }
            let name: String
            var value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            if let reason = refused[name] {
                throw CLIError("swiftlet daprd does not support --\(name): \(reason)")
            }
            if booleans.contains(name) {
                let text = value ?? "true"
                guard let bool = ["true": true, "1": true, "false": false, "0": false][text.lowercased()] else {
                    throw CLIError("--\(name) is true or false, got '\(text)'")
                }
                value = bool ? "true" : "false"
            } else if value == nil {
                guard index < arguments.count else { throw CLIError("--\(name) needs a value") }
                value = arguments[index]
                index += 1
            }
            try flags.set(name, value!)
        }
        return flags
    }

    mutating func set(_ name: String, _ value: String) throws(CLIError) {
        func port(_ allowZero: Bool = true) throws(CLIError) -> Int {
            guard let number = Int(value), (allowZero ? 0 : 1)...65535 ~= number else {
                throw CLIError("--\(name) expects a port number, got '\(value)'")
            }
            return number
        }
        switch name {
        case "app-id": appID = value
        case "app-port": appPort = try port(false)
        case "app-protocol":
            guard value == "http" else {
                throw CLIError("swiftlet daprd does not support --app-protocol \(value): the app channel speaks http")
            }
            appProtocol = value
        case "dapr-http-port": httpPort = try port()
        case "dapr-grpc-port": grpcPort = try port()
        case "resources-path": resourcesPaths.append(value)
        case "config": config = value
        case "metrics-port": metricsPort = try port()
        case "enable-metrics": enableMetrics = value == "true"
        case "log-level":
            guard ["debug", "info", "warn", "error", "fatal"].contains(value) else {
                throw CLIError("--log-level is one of debug, info, warn, error, fatal; got '\(value)'")
            }
            logLevel = value
        case "app-max-concurrency":
            guard let number = Int(value), number == -1 || number > 0 else {
                throw CLIError("--app-max-concurrency is a positive number or -1 (unlimited), got '\(value)'")
            }
            appMaxConcurrency = number
        case "dapr-listen-addresses":
            guard !value.contains(",") else {
                throw CLIError("swiftlet daprd listens on one address; --dapr-listen-addresses got '\(value)'")
            }
            listenAddresses = value
        case "enable-api-logging": enableAPILogging = value == "true"
        case "swiftlet-manifest": swiftletManifest = value
        case "swiftlet-listen": swiftletListen = value
        default:
            if let reason = Self.accepted[name] {
                ignored.append("--\(name) (\(reason))")
            } else {
                throw CLIError("unknown daprd flag --\(name) (see docs/cli.md#swiftlet-daprd for the supported ones)")
            }
        }
    }
}
