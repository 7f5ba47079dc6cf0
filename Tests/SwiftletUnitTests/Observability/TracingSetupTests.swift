import SwiftletTelemetry
import Testing

/// Which OpenTelemetry environments turn tracing on, and which are refused at start rather
/// than crashing in the exporter. (No case here installs the process-global tracer.)
@Suite struct TracingSetupTests {
    @Test func offUnlessTheEnvironmentAsks() throws {
        #expect(try Telemetry.bootstrapTracing(serviceName: "t", environment: [:]) == nil)
        #expect(try Telemetry.bootstrapTracing(serviceName: "t", environment: ["OTEL_TRACES_EXPORTER": "none"]) == nil)
        let disabled = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "TRUE"]
        #expect(try Telemetry.bootstrapTracing(serviceName: "t", environment: disabled) == nil)
        #expect(!Telemetry.tracingEnabled)
    }

    @Test(arguments: [
        ["OTEL_TRACES_EXPORTER": "console"],
        ["OTEL_TRACES_EXPORTER": "zipkin"],
        ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"],
        ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"],
    ])
    func unsupportedSettingsAreRefused(environment: [String: String]) {
        #expect(throws: TracingSetupError.self) {
            try Telemetry.bootstrapTracing(serviceName: "t", environment: environment)
        }
        #expect(!Telemetry.tracingEnabled)
    }
}
