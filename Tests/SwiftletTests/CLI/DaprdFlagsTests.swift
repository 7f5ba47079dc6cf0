@testable import SwiftletCLI
import Testing

/// daprd's command line as launchers write it: Go flag syntax, Dapr's defaults, repeatable
/// resource paths, and refusal by name of what Swiftlet does not do.
@Suite struct DaprdFlagsTests {
    @Test func goFlagSyntaxAndDefaults() throws {
        let defaults = try DaprdFlags.parse([])
        #expect(defaults.httpPort == 3500 && defaults.grpcPort == 50001 && defaults.metricsPort == 9090)
        #expect(defaults.listenAddresses == "0.0.0.0" && defaults.logLevel == "info" && defaults.appMaxConcurrency == -1)
        let flags = try DaprdFlags.parse([
            "--app-id", "orders", "-app-port=5000", "--dapr-http-port", "3600", "--resources-path", "a", "--resources-path=b",
            "--enable-api-logging", "--enable-metrics=false", "--log-level", "debug", "--app-max-concurrency", "4",
            "--placement-host-address", "localhost:50005", "--app-protocol", "http",
        ])
        #expect(flags.appID == "orders" && flags.appPort == 5000 && flags.httpPort == 3600)
        #expect(flags.resourcesPaths == ["a", "b"])
        #expect(flags.enableAPILogging && !flags.enableMetrics && flags.logLevel == "debug" && flags.appMaxConcurrency == 4)
        #expect(flags.ignored.count == 1 && flags.ignored[0].contains("placement-host-address"))
    }

    @Test func unsupportedFlagsAreRefusedByName() {
        for (arguments, expected) in [
            (["--app-protocol", "grpc"], "--app-protocol grpc"), (["--enable-mtls"], "--enable-mtls"),
            (["--components-path", "x"], "--resources-path"), (["--no-such-flag", "1"], "unknown daprd flag --no-such-flag"),
            (["--app-port", "0"], "port number"), (["--dapr-listen-addresses", "127.0.0.1,::1"], "one address"),
            (["--log-level", "verbose"], "--log-level"), (["--app-id"], "needs a value"), (["orders"], "flags only"),
            (["--enable-api-logging=maybe"], "true or false"),
        ] {
            #expect(throws: CLIError.self) { try DaprdFlags.parse(arguments) }
            do {
                _ = try DaprdFlags.parse(arguments)
            } catch {
                #expect(error.message.contains(expected), "\(arguments): \(error.message)")
            }
        }
    }
}
