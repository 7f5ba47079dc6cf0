import Foundation
import SwiftletBlocks
import Yams

/// Reads the YAML/JSON map behind `configuration.file`.
enum ConfigurationFile {
    static func read(_ path: String) throws(BuildingBlockError) -> [String: ConfigurationItem] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw BuildingBlockError(.notFound, "cannot read configuration file \(path)")
        }
        guard let loaded = try? Yams.load(yaml: text), let map = loaded as? [String: Any] else {
            throw BuildingBlockError(.invalidArgument, "configuration file \(path) is not a map of keys to values")
        }
        var items: [String: ConfigurationItem] = [:]
        for (key, value) in map {
            if let entry = value as? [String: Any] {
                let metadata = (entry["metadata"] as? [String: Any])?.mapValues { "\($0)" } ?? [:]
                items[key] = ConfigurationItem(
                    value: entry["value"].map { "\($0)" } ?? "", version: entry["version"].map { "\($0)" } ?? "",
                    metadata: metadata)
            } else {
                items[key] = ConfigurationItem(value: "\(value)")
            }
        }
        return items
    }
}
