import Prometheus
import SwiftletTelemetry
import SwiftletWasmHost

extension Telemetry {
    /// Reports the host's live instances and their linear memory on every scrape, beside
    /// the process's resident memory: together they tell a leak from a busy host.
    func observe(_ census: InstanceCensus) {
        sampleGauge(
            MetricNameDescriptor(
                namespace: "swiftlet", metricName: "instances", unitName: "live",
                helpText: "Wasm instances whose engine state is alive (warm, prepared or serving)."),
            { census.liveInstances })
        sampleGauge(
            MetricNameDescriptor(
                namespace: "swiftlet", metricName: "instance_memory", unitName: "bytes",
                helpText: "Linear memory held by live Wasm instances."),
            { census.linearMemoryBytes })
    }
}
