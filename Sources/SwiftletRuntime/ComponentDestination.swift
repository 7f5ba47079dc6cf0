import SwiftletABI
import SwiftletEventTriggers
import SwiftletWasmHost

/// Delivers straight to one component.
public struct ComponentDestination: EventDestination {
    public let component: ComponentHost

    public init(component: ComponentHost) {
        self.component = component
    }

    public var name: String { component.id }

    public func deliver(_ request: GuestRequest) async -> EventOutcome {
        let reply: GuestReply
        do {
            reply = try await component.handle(request)
        } catch {
            return .retry("\(error.kind): \(error.message)")
        }
        do {
            return EventOutcome.from(try await reply.collected())
        } catch {
            return .retry("the subscriber failed while streaming: \(error)")
        }
    }
}
