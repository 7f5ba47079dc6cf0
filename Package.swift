// swift-tools-version:6.1
import PackageDescription

/// A libFuzzer target (`scripts/fuzz.sh`): its module defines `LLVMFuzzerTestOneInput` and
/// an `@main` that replays files. SwiftPM names every executable's entry point
/// `<Module>_main` and points `main` at it, except under `--sanitize=fuzzer`, where
/// libFuzzer's `main` runs; naming the entry point here too keeps the `@main` out of
/// libFuzzer's way in fuzzer builds and changes nothing in plain ones.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name, dependencies: dependencies + ["FuzzSupport"], path: "Fuzz/\(name)",
        swiftSettings: [.unsafeFlags(["-Xfrontend", "-entry-point-function-name", "-Xfrontend", "\(name)_main"])])
}

// Targets follow the architecture: a pure guest ABI (no engine types), the WasmKit host,
// the app manifest, triggers, the runtime that wires them, and a thin CLI on top.
let package = Package(
    name: "Swiftlet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        .library(name: "SwiftletRuntime", targets: ["SwiftletRuntime"]),
    ],
    // OpenTelemetry export is a trait so that a build can leave swift-otel out: the
    // sanitizer runs do (`--disable-default-traits`), because swift-otel 1.6.0 does not
    // compile with -sanitize=thread.
    traits: [
        .trait(name: "OpenTelemetry", description: "Export traces over OTLP/HTTP (swift-otel)."),
        .default(enabledTraits: ["OpenTelemetry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter would be a second copy of what we never use.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The project's own small foundations: the lock every target uses.
        .target(name: "SwiftletCore", dependencies: [.product(name: "DequeModule", package: "swift-collections")]),

        // What a guest sees: error codes, the import module's functions, guest memory access.
        // Engine-neutral so an ahead-of-time tier can bind the same host functions.
        .target(name: "SwiftletABI", dependencies: ["SwiftletBlocks", "SwiftletCore"]),

        // `swiftlet.yaml`: model, YAML decoding with file:line:column errors, routes.
        .target(
            name: "SwiftletManifest",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),

        // The building-block core: the state, pub/sub, secrets, configuration and binding
        // protocols, their values and errors, CloudEvents, and the operations guests and the
        // Dapr APIs share. No YAML, no logging backend: the ABI and the backends sit on it.
        .target(name: "SwiftletBlocks", dependencies: ["SwiftletCore"]),

        // Dapr resources (component YAML): the registry, resource factories and settings,
        // metering, cron, and the stores that need no server.
        .target(
            name: "SwiftletResources",
            dependencies: [
                "SwiftletBlocks",
                "SwiftletCore",
                "SwiftletManifest",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Embedded backends: state.sqlite and the durable pubsub.sqlite.
        .target(
            name: "SwiftletSQLite",
            dependencies: [
                "SwiftletCore",
                "SwiftletBlocks",
                "SwiftletResources",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),

        // Redis backends (state, Streams pub/sub, configuration) on a small NIO RESP client.
        .target(
            name: "SwiftletRedis",
            dependencies: [
                "SwiftletCore",
                "SwiftletBlocks",
                "SwiftletResources",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // PostgreSQL state store on postgres-nio.
        .target(
            name: "SwiftletPostgres",
            dependencies: [
                "SwiftletBlocks",
                "SwiftletResources",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),

        // NATS JetStream pub/sub on a small NIO NATS client.
        .target(
            name: "SwiftletNATS",
            dependencies: [
                "SwiftletCore",
                "SwiftletBlocks",
                "SwiftletResources",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // Outbound HTTP for guests (allowed hosts only) and the bindings.http component.
        .target(
            name: "SwiftletOutbound",
            dependencies: [
                "SwiftletABI",
                "SwiftletBlocks",
                "SwiftletResources",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),

        // The WebAssembly host above the engine seam: instance pools, limits, executors,
        // the watchdog, and what guests see of WASI (WasmKit's engine-neutral WASI
        // implementation under Swiftlet's policy). No engine is linked here.
        .target(
            name: "SwiftletWasmHost",
            dependencies: [
                "SwiftletCore",
                "SwiftletABI",
                .product(name: "WASI", package: "WasmKit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // Conversation components (conversation.echo, conversation.openai): language models
        // behind Dapr's Conversation building block.
        .target(
            name: "SwiftletConversation",
            dependencies: [
                "SwiftletBlocks", "SwiftletManifest", "SwiftletResources",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // Wasm functions as MCP tools (the official MCP Swift SDK): stdio and streamable HTTP.
        .target(
            name: "SwiftletMCP",
            dependencies: [
                "SwiftletRuntime", "SwiftletHTTPTrigger",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // Sandboxes for code agents write: CPython for WASI in a fresh instance per run,
        // read-only standard library, capped scratch directory, no host files or network.
        .target(name: "SwiftletSandbox", dependencies: ["SwiftletABI", "SwiftletWasmHost"]),

        // The interpreter tier on WasmKit.
        .target(
            name: "SwiftletWasmKit",
            dependencies: [
                "SwiftletCore",
                "SwiftletWasmHost",
                "CSwiftletInterrupt",
                .product(name: "WasmKit", package: "WasmKit"),
            ]
        ),

        // Stops a WasmKit call from another thread through a signal on the guest's thread.
        .target(name: "CSwiftletInterrupt", linkerSettings: [.linkedLibrary("dl")]),

        // The compiled tier on Wasmtime's C API, loaded at run time (no link dependency).
        .target(
            name: "SwiftletWasmtime",
            dependencies: [
                "SwiftletCore",
                "SwiftletWasmHost",
                "CSwiftletWasmtime",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Swiftlet's own declarations of the Wasmtime 50 C API subset it uses, and the
        // dlopen loader that fills them in.
        .target(name: "CSwiftletWasmtime", linkerSettings: [.linkedLibrary("dl")]),

        // Event triggers: pub/sub subscriptions and input bindings delivering to components.
        .target(
            name: "SwiftletJobs",
            dependencies: [
                "SwiftletBlocks", "SwiftletCore", "SwiftletResources",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .target(
            name: "SwiftletEventTriggers",
            dependencies: [
                "SwiftletABI",
                "SwiftletCore",
                "SwiftletBlocks",
                "SwiftletResources",
                "SwiftletTelemetry",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Apps as OCI artifacts: packing, the distribution protocol, the verified local cache.
        .target(
            name: "SwiftletOCI",
            dependencies: [
                "SwiftletCore",
                "SwiftletManifest",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // Kubernetes manifests that run an app with the swiftlet image (`swiftlet k8s`).
        .target(
            name: "SwiftletKubernetes",
            dependencies: ["SwiftletManifest", .product(name: "Yams", package: "Yams")]
        ),

        // Generated code for Swiftlet's subset of Dapr's gRPC API (scripts/generate-grpc.sh).
        .target(
            name: "SwiftletDaprProto",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),

        // Dapr's HTTP and gRPC APIs for ordinary apps, the app channel and invocation routing.
        .target(
            name: "SwiftletDaprAPI",
            dependencies: [
                "SwiftletABI",
                "SwiftletBlocks",
                "SwiftletResources",
                "SwiftletEventTriggers",
                "SwiftletJobs",
                "SwiftletCore",
                "SwiftletDaprProto",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "SwiftletTelemetry",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Observability: one Prometheus registry per server behind swift-metrics (/metrics),
        // OpenTelemetry traces over OTLP, W3C trace-context propagation helpers.
        .target(
            name: "SwiftletTelemetry",
            dependencies: [
                "SwiftletCore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OpenTelemetry"])),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // HTTP trigger: routes -> components, on Hummingbird.
        .target(
            name: "SwiftletHTTPTrigger",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                "SwiftletCore",
                "SwiftletWasmHost",
                "SwiftletManifest",
                "SwiftletTelemetry",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Loads an app and runs its triggers as services with graceful shutdown.
        .target(
            name: "SwiftletRuntime",
            dependencies: [
                "SwiftletJobs",
                "SwiftletCore",
                "SwiftletManifest",
                "SwiftletWasmHost",
                "SwiftletWasmKit",
                "SwiftletWasmtime",
                "SwiftletHTTPTrigger",
                "SwiftletEventTriggers",
                "SwiftletBlocks",
                "SwiftletResources",
                "SwiftletSQLite",
                "SwiftletRedis",
                "SwiftletPostgres",
                "SwiftletNATS",
                "SwiftletOutbound",
                "SwiftletConversation",
                "SwiftletSandbox",
                "SwiftletDaprAPI",
                "SwiftletOCI",
                "SwiftletTelemetry",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The `swiftlet` commands, as a library so tests can parse and run them.
        .target(
            name: "SwiftletCLI",
            dependencies: [
                "SwiftletHTTPTrigger",
                "SwiftletCore",
                "SwiftletRuntime",
                "SwiftletWasmHost",
                "SwiftletSDK",
                "SwiftletDaprAPI",
                "SwiftletOCI",
                "SwiftletKubernetes",
                "SwiftletTelemetry",
                "SwiftletSandbox",
                "SwiftletMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // Guest SDK files (C header, Embedded Swift library, project templates) embedded in
        // the binary so `swiftlet new` works from an installed binary alone.
        .target(
            name: "SwiftletSDK",
            path: "sdk",
            exclude: ["README.md"],
            sources: ["SDKFiles.swift"],
            resources: [
                .embedInCode("c/swiftlet.h"),
                .embedInCode("swift/Swiftlet.swift"),
                .embedInCode("templates/c.yaml"),
                .embedInCode("templates/c-main.c"),
                .embedInCode("templates/c-build.sh"),
                .embedInCode("templates/swift.yaml"),
                .embedInCode("templates/swift-main.swift"),
                .embedInCode("templates/swift-build.sh"),
            ]
        ),

        .executableTarget(name: "swiftlet", dependencies: ["SwiftletCLI"]),

        .executableTarget(
            name: "SwiftletBenchmarks",
            dependencies: [
                "SwiftletCore",
                "SwiftletRuntime",
                "SwiftletHTTPTrigger",
                "SwiftletWasmHost",
                "SwiftletWasmKit",
                "SwiftletABI",
                "SwiftletBlocks",
                "SwiftletResources",
                "SwiftletEventTriggers",
                "SwiftletRedis",
                "SwiftletDaprProto",
                "SwiftletMCP",
                "SwiftletSandbox",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            path: "Benchmarks/SwiftletBenchmarks"
        ),

        // Fuzz targets for everything that parses peer or file input.
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"),
        fuzzTarget("FuzzManifest", ["SwiftletManifest"]),
        fuzzTarget("FuzzComponents", ["SwiftletManifest"]),
        fuzzTarget("FuzzCGI", ["SwiftletWasmHost"]),
        fuzzTarget("FuzzRESP", ["SwiftletRedis", .product(name: "NIOCore", package: "swift-nio")]),
        fuzzTarget("FuzzNATS", ["SwiftletNATS", .product(name: "NIOCore", package: "swift-nio")]),
        fuzzTarget("FuzzOCI", ["SwiftletOCI"]),
        fuzzTarget("FuzzCloudEvent", ["SwiftletBlocks"]),
        fuzzTarget("FuzzDaprHTTP", ["SwiftletDaprAPI"]),

        // Tests by layer: unit tests of the pure parts (the ABI over a fake memory, state
        // machines, parsers) build against the libraries alone and run in seconds; the
        // integration suite runs servers, guests, backends and the real binary.
        .target(name: "SwiftletTestSupport", dependencies: ["SwiftletABI"], path: "Tests/SwiftletTestSupport"),
        .testTarget(
            name: "SwiftletUnitTests",
            dependencies: [
                "SwiftletTestSupport", "SwiftletCore", "SwiftletABI", "SwiftletManifest", "SwiftletWasmHost", "SwiftletRuntime",
                "SwiftletNATS", "SwiftletOCI", "SwiftletTelemetry", "SwiftletBlocks", "SwiftletConversation", "SwiftletJobs",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SwiftletTests",
            dependencies: [
                "SwiftletCore", "SwiftletABI", "SwiftletManifest", "SwiftletWasmHost", "SwiftletWasmKit", "SwiftletWasmtime", "CSwiftletWasmtime",
                "SwiftletHTTPTrigger",
                "SwiftletRuntime", "SwiftletCLI", "SwiftletBlocks", "SwiftletResources", "SwiftletEventTriggers", "SwiftletDaprAPI", "SwiftletDaprProto",
                "SwiftletOCI", "SwiftletKubernetes", "SwiftletSQLite", "SwiftletRedis", "SwiftletPostgres", "SwiftletNATS",
                "SwiftletSandbox", "SwiftletConversation",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
