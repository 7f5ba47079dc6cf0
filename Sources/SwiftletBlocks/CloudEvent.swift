import Foundation

/// CloudEvents 1.0 envelopes as Dapr writes them for published messages.
public enum CloudEvent {
    public static let contentType = "application/cloudevents+json"
    public static let eventType = "com.dapr.event.sent"

    /// Where a published message came from, for the envelope's fields.
    public struct Context: Sendable {
        public var topic: String
        public var pubsubName: String
        /// The publishing app id (`source`).
        public var source: String
        public var traceparent: String?
        public var tracestate: String?

        public init(topic: String, pubsubName: String, source: String, traceparent: String? = nil, tracestate: String? = nil) {
            self.topic = topic
            self.pubsubName = pubsubName
            self.source = source
            self.traceparent = traceparent
            self.tracestate = tracestate
        }
    }

    /// Wraps `data` in an envelope. JSON data (by content type) is embedded as JSON, other
    /// text as a string, anything else base64-encoded in `data_base64`.
    public static func wrap(_ data: [UInt8], contentType: String, context: Context) -> [UInt8] {
        var event = baseFields(context)
        event["datacontenttype"] = contentType
        if isJSON(contentType), let value = try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed]) {
            event["data"] = value
        } else if let text = String(validating: data, as: UTF8.self) {
            event["data"] = text
        } else {
            event["data_base64"] = Data(data).base64EncodedString()
        }
        return serialize(event)
    }

    /// Completes an envelope the caller built itself (`application/cloudevents+json`): its
    /// own fields win, missing required ones are filled in.
    public static func adopt(_ envelope: [UInt8], context: Context) throws(BuildingBlockError) -> [UInt8] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(envelope)), var event = object as? [String: Any] else {
            throw BuildingBlockError(.invalidArgument, "the body is not a CloudEvent JSON object")
        }
        for (key, value) in baseFields(context) where event[key] == nil {
            event[key] = value
        }
        return serialize(event)
    }

    static func baseFields(_ context: Context) -> [String: Any] {
        var event: [String: Any] = [
            "id": UUID().uuidString.lowercased(),
            "source": context.source,
            "specversion": "1.0",
            "type": eventType,
            "topic": context.topic,
            "pubsubname": context.pubsubName,
            "time": timestamp(),
        ]
        if let traceparent = context.traceparent {
            event["traceparent"] = traceparent
            event["traceid"] = traceparent
        }
        if let tracestate = context.tracestate { event["tracestate"] = tracestate }
        return event
    }

    public static func isJSON(_ contentType: String) -> Bool {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return base == "application/json" || base.hasSuffix("+json") || base == "text/json"
    }

    static func serialize(_ event: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return [UInt8](data)
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
