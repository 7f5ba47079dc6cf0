import SwiftletManifest
import SwiftletWasmHost

/// Maps request paths to components; the most specific matching route wins
/// (``RoutePattern/isMoreSpecific(than:)``).
public struct HTTPRouter: Sendable {
    public struct Route: Sendable {
        public let pattern: RoutePattern
        public let component: ComponentHost

        public init(pattern: RoutePattern, component: ComponentHost) {
            self.pattern = pattern
            self.component = component
        }
    }

    /// Routes ordered most specific first, so the first match is the best one.
    let routes: [Route]

    public init(routes: [Route]) {
        self.routes = routes.sorted { $0.pattern.isMoreSpecific(than: $1.pattern) }
    }

    /// The best route for `path` and the parameters it binds.
    public func match(_ path: some StringProtocol) -> (route: Route, parameters: [(name: String, value: String)])? {
        let segments = RoutePattern.split(path)
        for route in routes {
            if let parameters = route.pattern.match(segments) { return (route, parameters) }
        }
        return nil
    }
}
