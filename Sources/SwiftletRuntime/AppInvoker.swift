import SwiftletABI
import SwiftletBlocks
import SwiftletResources
import SwiftletDaprAPI
import SwiftletHTTPTrigger
import SwiftletWasmHost
import SwiftletCore

/// Service invocation between an app's components: `invoke(app, method, path)` routes the
/// request through the app's HTTP routes and runs the component on the calling thread.
final class AppInvoker: Sendable {
    let appID: String
    private let router = Locked<HTTPRouter?>(nil)
    /// Other apps (the app beside Swiftlet, peers), once the Dapr sidecar is set up.
    private let remote = Locked<(invoker: ServiceInvoker, workers: GuestWorkerPool)?>(nil)

    init(appID: String) {
        self.appID = appID
    }

    /// Set once the app's components are loaded (they need the invoker first).
    func attach(_ router: HTTPRouter) {
        self.router.withLock { $0 = router }
    }

    func attachRemote(_ invoker: ServiceInvoker, workers: GuestWorkerPool) {
        remote.withLock { $0 = (invoker, workers) }
    }

    func invoke(appID target: String, request: GuestRequest, deadline: UInt64?) throws(BuildingBlockError) -> GuestResponse {
        // A cycle must not hang the host: nested calls past the limit fail.
        _ = try CallDepth.checked(request.origin.callDepth)
        guard target == appID else {
            guard let (invoker, workers) = remote.withLock({ $0 }), invoker.knownAppIDs.contains(target) else {
                throw BuildingBlockError(.notFound, "no app with id '\(target)'")
            }
            // Another process: the guest's thread waits for the network call, up to its deadline.
            do {
                return try workers.wait(until: deadline) { () async throws(BuildingBlockError) -> GuestResponse in
                    try await invoker.invoke(appID: target, request: request)
                }
            } catch {
                throw BuildingBlockError(error.status == .timeout ? .timeout : .unavailable, "invoking \(target): \(error.status)")
            }
        }
        guard let router = router.withLock({ $0 }), let (route, parameters) = router.match(request.path) else {
            return GuestResponse(status: 404, headers: [("content-type", "text/plain")], body: Array("no route matches \(request.path)\n".utf8))
        }
        var routed = request
        routed.parameters = parameters
        routed.origin.matchedRoute = route.pattern.text
        routed.origin.routeBase = route.pattern.base
        do {
            return try route.component.invokeNested(routed, callerDeadline: deadline)
        } catch {
            let status = error.kind == .timeout ? 504 : error.kind == .overloaded ? 503 : 500
            return GuestResponse(
                status: status, headers: [("content-type", "text/plain"), ("x-swiftlet-error", error.kind.name)],
                body: Array("swiftlet: \(error.kind): \(error.message)\n".utf8))
        }
    }
}
