import Foundation
import SwiftletBlocks
import SwiftletResources
import SwiftletManifest

/// `state.sqlite` and `pubsub.sqlite`, the embedded defaults.
public struct SQLiteResourceFactory: ResourceFactory {
    public init() {}

    public var types: [String] { ["state.sqlite", "pubsub.sqlite"] }

    public func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource {
        let isState = settings.type == "state.sqlite"
        let field = "connectionString"
        let configured = settings.string(field) ?? ""
        let path: String
        if configured.isEmpty {
            path = URL(fileURLWithPath: context.stateDirectory).appendingPathComponent("\(settings.name).db").path
        } else {
            let stripped = configured.hasPrefix("file:") && !configured.hasPrefix("file::memory:")
                ? String(configured.dropFirst(5).prefix { $0 != "?" }) : configured
            path = stripped.hasPrefix("/") || stripped.contains(":memory:")
                ? stripped : URL(fileURLWithPath: context.baseDirectory).appendingPathComponent(stripped).path
        }
        let table = settings.string("tableName") ?? "state"
        guard table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw settings.spec.error(field: "tableName", "table names use letters, digits and '_'")
        }
        do {
            let file = try await SQLiteFile.open(path)
            return isState
                ? .state(try await SQLiteStateStore(file: file, table: table, name: settings.name))
                : .pubsub(try await SQLitePubSub(file: file, name: settings.name))
        } catch {
            throw settings.spec.error(field: field, "cannot open SQLite database \(path): \(error)")
        }
    }
}
