import Logging
import OTel
import ServiceLifecycle
import Tracing

extension Telemetry {
    /// Starts exporting traces over OTLP/HTTP when the standard OpenTelemetry environment
    /// asks for it (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
    /// `OTEL_TRACES_EXPORTER` other than `none`); every other `OTEL_*` variable applies as
    /// the specification says. Returns the exporter's service, to run beside the server, or
    /// `nil` when tracing stays off (spans then cost next to nothing). Once per process:
    /// the tracer is process-global.
    public static func bootstrapTracing(serviceName: String, environment: [String: String]) throws -> (any Service)? {
        let exporter = environment["OTEL_TRACES_EXPORTER"]
        let wanted =
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
            || (exporter != nil && exporter != "none")
        guard wanted, environment["OTEL_SDK_DISABLED"] != "true" else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.traces.enabled = true
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        return service
    }
}

extension Telemetry {
    /// Adds `trace_id` and `span_id` of the current span to log lines (nothing when no
    /// span is active), so a request's logs, guest output included, join its trace.
    public static var logMetadataProvider: Logger.MetadataProvider {
        OTel.makeLoggingMetadataProvider()
    }
}

/// W3C trace context (`traceparent`, `tracestate`) in the header lists guests see, so a
/// span's context travels into the guest and out again with its publishes, invocations and
/// outbound requests.
public enum TraceHeaders {
    /// The header names trace context travels in.
    public static let names: Set<String> = ["traceparent", "tracestate"]

    /// The context a request's headers carry (the caller's span), if any.
    public static func context(from headers: [(name: String, value: String)]) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: HeaderListExtractor())
        return context
    }

    /// `headers` with their trace context replaced by `context`'s (the span serving them).
    /// Unchanged when no tracer is bootstrapped: the caller's context then passes through.
    public static func replacing(_ headers: [(name: String, value: String)], with context: ServiceContext)
        -> [(name: String, value: String)]
    {
        var injected: [(name: String, value: String)] = []
        InstrumentationSystem.instrument.inject(context, into: &injected, using: HeaderListInjector())
        guard !injected.isEmpty else { return headers }
        return headers.filter { !names.contains($0.name.lowercased()) } + injected
    }
}

struct HeaderListExtractor: Extractor {
    func extract(key: String, from carrier: [(name: String, value: String)]) -> String? {
        carrier.first { $0.name.lowercased() == key.lowercased() }?.value
    }
}

struct HeaderListInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(name: String, value: String)]) {
        carrier.append((key, value))
    }
}
