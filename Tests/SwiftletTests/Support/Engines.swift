import SwiftletRuntime
import SwiftletWasmHost
import Testing

/// The engine tiers the host suites run on: every tier, always. A tier this machine lacks
/// fails its tests with a message that says how to install it.
enum Engines {
    static let all = EngineKind.allCases

    static func require(_ engine: EngineKind, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if let reason = tiers.unavailable[engine] {
            Issue.record("engine \(engine) is not available: \(reason)", sourceLocation: sourceLocation)
            throw MissingPrerequisite()
        }
    }

    /// The tier itself, for tests below the HTTP server.
    static func engine(_ kind: EngineKind, sourceLocation: SourceLocation = #_sourceLocation) throws -> any GuestEngine {
        try require(kind, sourceLocation: sourceLocation)
        return tiers.engines.first { $0.kind == kind }!
    }

    static let tiers = EngineTiers.available()
}
