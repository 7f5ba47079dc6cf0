import Foundation

/// Where a subscription delivers each event: the first rule whose `match` the CloudEvent
/// satisfies, else the default path. With no match and no default, Dapr drops the event.
public struct TopicRoutes: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var match: RouteMatch
        public var path: String

        public init(match: RouteMatch, path: String) {
            self.match = match
            self.path = TopicRoutes.absolute(path)
        }
    }

    public var rules: [Rule]
    public var defaultPath: String?

    public init(rules: [Rule] = [], defaultPath: String?) {
        self.rules = rules
        self.defaultPath = defaultPath.map(Self.absolute)
    }

    /// Every event to `path`.
    public init(path: String) {
        self.init(defaultPath: path)
    }

    /// The path for one event (the CloudEvent's JSON bytes). The event is decoded only when
    /// there are rules to evaluate.
    public func path(for event: [UInt8]) -> String? {
        guard !rules.isEmpty else { return defaultPath }
        let decoded = (try? JSONSerialization.jsonObject(with: Data(event))) ?? [String: Any]()
        return rules.first { $0.match.matches(event: decoded) }?.path ?? defaultPath
    }

    /// A name for what this subscription delivers to (consumer groups, logs): the default
    /// path, else the first rule's.
    public var primaryPath: String {
        defaultPath ?? rules.first?.path ?? "/"
    }

    /// Every path with its match, rules first, the default as Dapr lists it (an empty match).
    public var listed: [(match: String, path: String)] {
        rules.map { ($0.match.text, $0.path) } + (defaultPath.map { [("", $0)] } ?? [])
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : "/" + path
    }
}
