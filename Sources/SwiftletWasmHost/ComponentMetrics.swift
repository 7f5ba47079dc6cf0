import CoreMetrics

/// One component's counters, made once when it loads so a request only increments.
///
/// Written against swift-metrics, not a backend: the runtime decides where they go
/// (Prometheus on the admin port); without a factory they cost nothing.
public struct ComponentMetrics: Sendable {
    let instancesCreated: Counter
    let instancesReused: Counter
    let fuelConsumed: Counter
    private let failures: [GuestFailure.Kind: Counter]
    private let limitHits: [String: Counter]

    /// Limits a request can run into, as `limit` label values.
    public static let limits = ["timeout", "fuel", "memory", "response-size", "request-size", "concurrency"]

    public init(component: String, factory: any MetricsFactory) {
        let labels = [("component", component)]
        instancesCreated = Counter(label: "swiftlet_instances_created_total", dimensions: labels, factory: factory)
        instancesReused = Counter(label: "swiftlet_instances_reused_total", dimensions: labels, factory: factory)
        fuelConsumed = Counter(label: "swiftlet_guest_fuel_consumed_total", dimensions: labels, factory: factory)
        failures = Dictionary(uniqueKeysWithValues: GuestFailure.Kind.allCases.map { kind in
            (kind, Counter(label: "swiftlet_guest_failures_total", dimensions: labels + [("kind", kind.name)], factory: factory))
        })
        limitHits = Dictionary(uniqueKeysWithValues: Self.limits.map { limit in
            (limit, Counter(label: "swiftlet_limit_hits_total", dimensions: labels + [("limit", limit)], factory: factory))
        })
    }

    /// Counts a failed invocation by kind, and as a limit hit when a limit caused it.
    func record(_ failure: GuestFailure) {
        failures[failure.kind]?.increment()
        if let limit = failure.kind.limit { recordLimitHit(limit) }
    }

    /// Counts a request stopped by a limit outside the guest (an oversized request body).
    public func recordLimitHit(_ limit: String) {
        limitHits[limit]?.increment()
    }
}

extension GuestFailure.Kind {
    /// The limit behind this kind of failure, if one is.
    var limit: String? {
        switch self {
        case .timeout: "timeout"
        case .fuelExhausted: "fuel"
        case .memoryLimit: "memory"
        case .responseTooLarge: "response-size"
        case .overloaded: "concurrency"
        case .trap, .badPointer, .badResponse, .handlerError, .instantiation: nil
        }
    }
}
