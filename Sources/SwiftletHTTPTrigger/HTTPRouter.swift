import SwiftletCore
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
    /// Routes without parameters or wildcards by path: an exact route beats every other
    /// route matching the same path, so a hit here needs no segment matching.
    let exact: [String: Route]

    public init(routes: [Route]) {
        self.routes = routes.sorted { $0.pattern.isMoreSpecific(than: $1.pattern) }
        var exact: [String: Route] = [:]
        for route in routes where !route.pattern.isWildcard {
            if route.pattern.segments.allSatisfy({ if case .literal = $0 { true } else { false } }) {
                exact[route.pattern.base] = route
            }
        }
        self.exact = exact
    }

    /// The best route for `path` and the parameters it binds.
    public func match(_ path: String) -> (route: Route, parameters: [(name: String, value: String)])? {
        if let route = exact[path] ?? (path.count > 1 && path.hasSuffix("/") ? exact[String(path.dropLast())] : nil) {
            return (route, [])
        }
        let segments = RoutePattern.split(path)
        for route in routes {
            if let parameters = route.pattern.match(segments) { return (route, parameters) }
        }
        return nil
    }
}
