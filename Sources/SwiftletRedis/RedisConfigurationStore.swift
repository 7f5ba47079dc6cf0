import SwiftletBlocks
import SwiftletResources

/// `configuration.redis`: plain keys whose values are `value` or `value||version`, as
/// Dapr's Redis configuration store reads them.
struct RedisConfigurationStore: ConfigurationStore {
    let client: RedisClient
    let name: String

    func items(_ keys: [String]) async throws(BuildingBlockError) -> [String: ConfigurationItem] {
        do {
            var wanted = keys
            if wanted.isEmpty {
                var cursor = "0"
                repeat {
                    let reply = try await client.send(["SCAN", cursor, "COUNT", "500"])
                    guard let parts = reply.elements, parts.count == 2 else { break }
                    cursor = parts[0].string ?? "0"
                    wanted += (parts[1].elements ?? []).compactMap(\.string)
                } while cursor != "0"
            }
            guard !wanted.isEmpty else { return [:] }
            let reply = try await client.send(["MGET"] + wanted)
            var items: [String: ConfigurationItem] = [:]
            for (key, value) in zip(wanted, reply.elements ?? []) {
                guard let text = value.string else { continue }
                let parts = text.components(separatedBy: "||")
                items[key] = ConfigurationItem(value: parts[0], version: parts.count > 1 ? parts[1] : "")
            }
            return items
        } catch {
            throw BuildingBlockError(.unavailable, "\(name): redis: \(error)")
        }
    }
}
