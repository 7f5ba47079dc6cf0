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
        do {
            switch try await component.handle(request) {
            case .complete(let response):
                return EventOutcome.from(response)
            case .streaming(let status, let headers, let body):
                var bytes: [UInt8] = []
                do {
                    for try await chunk in body { bytes += chunk }
                } catch {
                    return .retry("the subscriber failed while streaming: \(error)")
                }
                return EventOutcome.from(GuestResponse(status: status, headers: headers, body: bytes))
            }
        } catch {
            return .retry("\(error.kind): \(error.message)")
        }
    }
}
