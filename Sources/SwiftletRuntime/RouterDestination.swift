import SwiftletABI
import SwiftletEventTriggers
import SwiftletHTTPTrigger

/// Delivers events through the app's HTTP routes, as Dapr delivers to an app's endpoints.
struct RouterDestination: EventDestination {
    let router: HTTPRouter
    let path: String

    var name: String { "route \(path)" }

    func deliver(_ request: GuestRequest) async -> EventOutcome {
        guard let (route, parameters) = router.match(request.path) else {
            return .drop("no route matches \(request.path)")
        }
        var routed = request
        routed.parameters = parameters
        routed.origin.matchedRoute = route.pattern.text
        routed.origin.routeBase = route.pattern.base
        return await ComponentDestination(component: route.component).deliver(routed)
    }
}
