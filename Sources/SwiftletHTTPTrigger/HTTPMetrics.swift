import CoreMetrics
import SwiftletABI
import SwiftletCore

/// Requests per route, component and status, and their latency per route and component.
///
/// Metric objects are made on first use of a label set and kept: a request then costs a
/// dictionary lookup under a lock rather than a registry lookup.
public final class HTTPMetrics: Sendable {
    /// The latency histogram's name: buckets for it are set where the backend is made.
    public static let durationLabel = "swiftlet_http_request_duration_seconds"

    private struct RouteKey: Hashable {
        let route: String
        let component: String
    }

    private struct CounterKey: Hashable {
        let route: RouteKey
        let status: Int
    }

    private struct Cache {
        var counters: [CounterKey: Counter] = [:]
        var timers: [RouteKey: Timer] = [:]
    }

    private let factory: any MetricsFactory
    private let cache = Locked(Cache())

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records one answered request; `route` and `component` are empty when no route matched.
    func record(route: String, component: String, status: Int, startedAt: UInt64) {
        let elapsed = MonotonicClock.now() &- startedAt
        let routeKey = RouteKey(route: route, component: component)
        let key = CounterKey(route: routeKey, status: status)
        let (counter, timer) = cache.withLock { cache in
            (cache.counters[key] ?? make(key, in: &cache.counters), cache.timers[routeKey] ?? make(routeKey, in: &cache.timers))
        }
        counter.increment()
        timer.recordNanoseconds(Int64(clamping: elapsed))
    }

    private func make(_ key: CounterKey, in counters: inout [CounterKey: Counter]) -> Counter {
        let counter = Counter(
            label: "swiftlet_http_requests_total",
            dimensions: [("route", key.route.route), ("component", key.route.component), ("status", String(key.status))],
            factory: factory)
        counters[key] = counter
        return counter
    }

    private func make(_ key: RouteKey, in timers: inout [RouteKey: Timer]) -> Timer {
        let timer = Timer(
            label: Self.durationLabel, dimensions: [("route", key.route), ("component", key.component)], factory: factory)
        timers[key] = timer
        return timer
    }
}
