import CoreMetrics
import Prometheus
import SwiftletCore

/// One server's metrics: a Prometheus registry, and the swift-metrics factory every part
/// of the server counts through. One per server rather than the process-wide bootstrap, so
/// servers in one process (tests, benchmarks) keep separate counts.
public final class Telemetry: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: any MetricsFactory
    /// Readings taken when `/metrics` is scraped rather than counted as they happen.
    private let samplers = Locked<[@Sendable () -> Void]>([])

    /// Latency buckets from 50 µs: a warm guest answers in tens of microseconds, and the
    /// library's default starts at 5 ms.
    public static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.factory = factory
        sampleGauge(
            MetricNameDescriptor(
                namespace: "process", metricName: "resident_memory", unitName: "bytes",
                helpText: "Resident memory size in bytes."),
            ProcessMemory.residentBytes)
    }

    /// A gauge read when `/metrics` is scraped rather than updated on every change: for
    /// values that cost nothing to read and would cost something to track (resident memory,
    /// live instances). A `nil` reading leaves the last value.
    public func sampleGauge(_ descriptor: MetricNameDescriptor, _ read: @escaping @Sendable () -> Int?) {
        let gauge = registry.makeGauge(descriptor: descriptor)
        samplers.withLock { $0.append { read().map { gauge.set(Int64($0)) } } }
    }

    /// The Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        for sample in samplers.withLock({ $0 }) { sample() }
        return registry.emitToString()
    }
}
