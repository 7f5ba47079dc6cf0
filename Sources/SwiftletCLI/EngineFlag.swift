import ArgumentParser
import SwiftletWasmHost

/// `--engine` of `up` and `run`.
enum EngineFlag: String, ExpressibleByArgument, CaseIterable {
    case auto, wasmtime, wasmkit

    /// The tier a command prefers: the flag, else `SWIFTLET_ENGINE`, else none (auto).
    static func resolve(_ flag: EngineFlag?, environment: [String: String]) throws -> EngineKind? {
        var choice = flag
        if choice == nil, let value = environment["SWIFTLET_ENGINE"], !value.isEmpty {
            guard let parsed = EngineFlag(rawValue: value) else {
                throw CLIError("SWIFTLET_ENGINE must be wasmtime, wasmkit or auto, got '\(value)'")
            }
            choice = parsed
        }
        switch choice {
        case .wasmtime: return .wasmtime
        case .wasmkit: return .wasmkit
        case .auto, nil: return nil
        }
    }
}
