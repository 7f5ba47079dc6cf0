import Foundation
import NIOCore

/// Wall-clock bounds in tests, scaled for slow builds.
///
/// The normal run checks them as written; sanitizer runs are many times slower on every
/// path, so `scripts/test.sh` sets `SWIFTLET_TEST_TIME_SCALE` there and the bounds stretch
/// by that factor (the behaviour under test — a guest stopped, a sleep refused — is still
/// checked, just not its speed).
enum Timing {
    static let scale: Double = ProcessInfo.processInfo.environment["SWIFTLET_TEST_TIME_SCALE"].flatMap(Double.init) ?? 1

    /// `seconds`, scaled.
    static func bound(_ seconds: Double) -> Double { seconds * scale }

    /// How long a test request may take before the client gives up: 30 s, scaled.
    static var requestTimeout: TimeAmount { .milliseconds(Int64(bound(30) * 1000)) }
}
