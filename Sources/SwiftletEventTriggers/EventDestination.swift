import Foundation
import SwiftletABI

/// How a subscriber answered an event, in Dapr's terms.
public enum EventOutcome: Sendable, Equatable {
    case success
    /// Deliver again later.
    case retry(String)
    /// Give up on the message (to the dead-letter topic if there is one).
    case drop(String)

    /// Dapr's rules: 2xx with an empty body or `{"status":"SUCCESS"}` is success, `RETRY`
    /// and `DROP` say so, 404 drops, anything else retries.
    public static func from(_ response: GuestResponse) -> EventOutcome {
        switch response.status {
        case 200..<300:
            guard !response.body.isEmpty,
                let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let status = (object["status"] as? String)?.uppercased()
            else { return .success }
            switch status {
            case "RETRY": return .retry("the subscriber answered RETRY")
            case "DROP": return .drop("the subscriber answered DROP")
            default: return .success
            }
        case 404:
            return .drop("the subscriber answered 404")
        default:
            return .retry("the subscriber answered \(response.status)")
        }
    }
}

/// Where a trigger's events go: a component, or the app's router.
public protocol EventDestination: Sendable {
    /// Delivers one event (an HTTP-shaped request) and reports how it went.
    func deliver(_ request: GuestRequest) async -> EventOutcome
    var name: String { get }
}
