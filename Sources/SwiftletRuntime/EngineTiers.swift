import Foundation
import CoreMetrics
import Logging
import SwiftletWasmHost
import SwiftletWasmKit
import SwiftletWasmtime

/// The engine tiers this process can run components on.
public struct EngineTiers: Sendable {
    /// The tiers that loaded.
    public let engines: [any GuestEngine]
    /// Why a tier is missing, in one line that says how to get it.
    public let unavailable: [EngineKind: String]

    /// WasmKit always; Wasmtime when its library loads (found as
    /// ``WasmtimeLibrary/candidates(environment:)`` says).
    public static func available(environment: [String: String] = ProcessInfo.processInfo.environment) -> EngineTiers {
        var engines: [any GuestEngine] = [WasmKitEngine()]
        var unavailable: [EngineKind: String] = [:]
        do {
            engines.append(WasmtimeEngine(library: try WasmtimeLibrary.load(environment: environment)))
        } catch {
            unavailable[.wasmtime] = error.description
        }
        return EngineTiers(engines: engines, unavailable: unavailable)
    }
}

extension WasmHost {
    /// A host on `tiers`.
    public convenience init(
        tiers: EngineTiers, preferred: EngineKind? = nil, workerThreads: Int? = nil,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger = Logger(label: "swiftlet")
    ) {
        self.init(
            engines: tiers.engines, unavailable: tiers.unavailable, preferred: preferred, workerThreads: workerThreads,
            metrics: metrics, logger: logger)
    }
}
