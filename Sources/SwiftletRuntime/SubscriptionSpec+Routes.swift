import SwiftletBlocks
import SwiftletManifest

extension SubscriptionSpec {
    /// The rules parsed, each bad `match` reported at its rule's file and line.
    func topicRoutes() throws(ManifestError) -> TopicRoutes {
        var parsed: [TopicRoutes.Rule] = []
        for rule in rules {
            do {
                parsed.append(TopicRoutes.Rule(match: try RouteMatch(rule.match), path: rule.path))
            } catch {
                throw rule.location.error(error.message)
            }
        }
        return TopicRoutes(rules: parsed, defaultPath: route)
    }
}
