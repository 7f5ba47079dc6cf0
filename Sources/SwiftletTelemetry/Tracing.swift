import SwiftletCore
import Foundation
import Logging
#if OpenTelemetry
import OTel
#endif
import Synchronization
import ServiceLifecycle
import Tracing

extension Telemetry {
    /// Whether a tracer is installed. Without one, the triggers skip spans and trace-context
    /// rewriting altogether (the caller's `traceparent` still passes through untouched).
    public static var tracingEnabled: Bool { tracing.load(ordering: .relaxed) }
    private static let tracing = Atomic(false)

    /// Starts exporting traces over OTLP/HTTP when the standard OpenTelemetry environment
    /// asks for it (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
    /// `OTEL_TRACES_EXPORTER=otlp`); every other `OTEL_*` variable applies as the
    /// specification says. Returns the exporter's service, to run beside the server, or
    /// `nil` when tracing stays off. Once per process: the tracer is process-global.
    /// Settings this build cannot honour (another exporter or protocol) are errors rather
    /// than crashes inside the exporter.
    public static func bootstrapTracing(serviceName: String, environment: [String: String]) throws -> (any Service)? {
        func setting(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let exporter = setting("OTEL_TRACES_EXPORTER")
        let wanted =
            setting("OTEL_EXPORTER_OTLP_ENDPOINT") != nil || setting("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != nil
            || (exporter != nil && exporter != "none")
        guard wanted, setting("OTEL_SDK_DISABLED") != "true", exporter != "none" else { return nil }
        if let exporter, exporter != "otlp" {
            throw TracingSetupError("OTEL_TRACES_EXPORTER=\(exporter) is not supported; use otlp (or none)")
        }
        for name in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] {
            if let value = setting(name), value != "http/protobuf" {
                throw TracingSetupError("\(name)=\(value) is not supported; Swiftlet exports OTLP over http/protobuf")
            }
        }
        #if OpenTelemetry
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.traces.enabled = true
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        tracing.store(true, ordering: .relaxed)
        return service
        #else
        throw TracingSetupError("this build of Swiftlet has no OpenTelemetry exporter (built without the OpenTelemetry trait)")
        #endif
    }
}

/// A tracing setting Swiftlet cannot honour.
public struct TracingSetupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Telemetry {
    /// Adds `trace_id` and `span_id` of the current span to log lines (nothing when no
    /// span is active), so a request's logs, guest output included, join its trace.
    public static var logMetadataProvider: Logger.MetadataProvider {
        #if OpenTelemetry
        OTel.makeLoggingMetadataProvider()
        #else
        Logger.MetadataProvider { [:] }
        #endif
    }
}

/// W3C trace context (`traceparent`, `tracestate`) in the header lists guests see, so a
/// span's context travels into the guest and out again with its publishes, invocations and
/// outbound requests.
public enum TraceHeaders {
    /// The header names trace context travels in.
    public static let names: Set<String> = ["traceparent", "tracestate"]

    /// The context a request's headers carry (the caller's span), if any.
    public static func context(from headers: HeaderList) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: HeaderListExtractor())
        return context
    }

    /// `headers` with their trace context replaced by `context`'s (the span serving them).
    /// Unchanged when no tracer is bootstrapped: the caller's context then passes through.
    public static func replacing(_ headers: HeaderList, with context: ServiceContext)
        -> HeaderList
    {
        var injected: HeaderList = []
        InstrumentationSystem.instrument.inject(context, into: &injected, using: HeaderListInjector())
        guard !injected.isEmpty else { return headers }
        return headers.filter { !names.contains($0.name.lowercased()) } + injected
    }
}

struct HeaderListExtractor: Extractor {
    func extract(key: String, from carrier: HeaderList) -> String? {
        carrier.first { $0.name.lowercased() == key.lowercased() }?.value
    }
}

struct HeaderListInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HeaderList) {
        carrier.append((key, value))
    }
}
